// The SMART authorization pages: the patient's sign-in and the consent screen, where each requested
// resource type is allowed or refused on its own. Server-rendered, no JavaScript needed.
import { escapeHtml, pageLayout } from '../portal/pages.js';

export function smartLoginPage(options: { uid: string; appName: string; error?: string }): string {
  return pageLayout(
    `Sign in — ${options.appName}`,
    `<h1>Sign in to share your records</h1>
<p><strong>${escapeHtml(options.appName)}</strong> asks to read some of your health records.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/oauth/interaction/${escapeHtml(options.uid)}/login" class="card">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form>`,
  );
}

export function smartConsentPage(options: {
  uid: string;
  appName: string;
  organization: string;
  types: { resourceType: string; alreadyAllowed: boolean }[];
}): string {
  const lines = options.types
    .map(
      ({
        resourceType,
        alreadyAllowed,
      }) => `<tr data-resource-type="${escapeHtml(resourceType)}"><td><strong>${escapeHtml(resourceType)}</strong>${alreadyAllowed ? '<br><span class="small allowed">already allowed</span>' : ''}</td>
<td><label><input type="radio" name="type:${escapeHtml(resourceType)}" value="allow"${alreadyAllowed ? ' checked' : ''}> Allow</label></td>
<td><label><input type="radio" name="type:${escapeHtml(resourceType)}" value="refuse"${alreadyAllowed ? '' : ' checked'}> Refuse</label></td></tr>`,
    )
    .join('');
  return pageLayout(
    `Allow ${options.appName}?`,
    `<h1>${escapeHtml(options.appName)}</h1>
<p class="org">${escapeHtml(options.organization)} asks to read these records of yours. Choose for each.</p>
<form method="post" action="/oauth/interaction/${escapeHtml(options.uid)}/consent" class="card">
<table>${lines}</table>
<p><button type="submit">Confirm</button></p></form>
<p class="small">You can change this at any time in your consent portal.</p>`,
  );
}
