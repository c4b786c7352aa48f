// The consent portal's pages: plain server-rendered HTML that works without JavaScript and reads
// well on a phone. Every value is escaped; every form carries the CSRF token.
import type { ErrorModel } from '../../platform/http-errors.js';
import { MIN_PASSWORD_LENGTH } from '../directory/patient-accounts.js';

export interface AppAccess {
  clientId: string;
  name: string;
  organization: string;
  types: { resourceType: string; grant?: { id: number; since: string; source: string; until?: string } }[];
}

export const escapeHtml = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1b2733}
main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem}h2{font-size:1.15rem;margin:0}
.card{background:#fff;border-radius:.5rem;padding:1rem;margin:1rem 0;box-shadow:0 1px 3px #0002}
.card.focus{outline:3px solid #2a6fdb}.org{color:#4a5a6a;margin:.25rem 0 .75rem}
table{width:100%;border-collapse:collapse}td{padding:.5rem .25rem;border-top:1px solid #e3e8ee;vertical-align:middle}
.allowed{color:#11702f}.refused{color:#8a1c1c}button{font-size:1rem;padding:.45rem .9rem;border-radius:.35rem;border:1px solid #2a6fdb;background:#2a6fdb;color:#fff}
button.secondary{background:#fff;color:#2a6fdb}label{display:block;margin:.75rem 0 .25rem}input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}
.error{background:#fde8e8;color:#8a1c1c;padding:.75rem;border-radius:.35rem}.small{font-size:.85rem;color:#4a5a6a}`;

export function pageLayout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function loginPage(options: { csrfToken: string; clientId?: string; error?: string }): string {
  return pageLayout(
    'Sign in — Referral Hub consent portal',
    `<h1>Your consent portal</h1>
<p>Sign in to choose which of your health records each hospital or practice app may read.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/consent/portal/login" class="card">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}">
${options.clientId ? `<input type="hidden" name="client_id" value="${escapeHtml(options.clientId)}">` : ''}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form>`,
  );
}

export function portalPage(options: {
  patientId: string;
  csrfToken: string;
  apps: AppAccess[];
  focusClientId?: string;
  notice?: string;
  error?: string;
}): string {
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}">`;
  const cards = options.apps.map((app) => appCard(app, csrf, app.clientId === options.focusClientId)).join('\n');
  return pageLayout(
    'Referral Hub consent portal',
    `<h1>Who may read your records</h1>
<p class="small">Signed in for ${escapeHtml(options.patientId)}.</p>
${options.notice ? `<p class="card" role="status">${escapeHtml(options.notice)}</p>` : ''}
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
${cards || '<p>No facility app holds or asks for access to your records.</p>'}
<form method="post" action="/consent/portal/logout">${csrf}<button class="secondary" type="submit">Sign out</button></form>`,
  );
}

function appCard(app: AppAccess, csrf: string, focus: boolean): string {
  const rows = app.types.map(({ resourceType, grant }) => {
    const state = grant
      ? `<span class="allowed">Allowed</span><br><span class="small">since ${escapeHtml(grant.since.slice(0, 10))}, via ${escapeHtml(grant.source)}${grant.until ? `, until ${escapeHtml(grant.until.slice(0, 10))}` : ''}</span>`
      : '<span class="refused">Not allowed</span>';
    const action = grant
      ? `<form method="post" action="/consent/portal/revoke">${csrf}<input type="hidden" name="grant_id" value="${grant.id}"><input type="hidden" name="client_id" value="${escapeHtml(app.clientId)}"><button class="secondary" type="submit" aria-label="Revoke ${escapeHtml(resourceType)}">Revoke</button></form>`
      : `<form method="post" action="/consent/portal/grant">${csrf}<input type="hidden" name="client_id" value="${escapeHtml(app.clientId)}"><input type="hidden" name="resource_type" value="${escapeHtml(resourceType)}"><button type="submit" aria-label="Allow ${escapeHtml(resourceType)}">Allow</button></form>`;
    return `<tr data-resource-type="${escapeHtml(resourceType)}"><td><strong>${escapeHtml(resourceType)}</strong></td><td>${state}</td><td>${action}</td></tr>`;
  });
  return `<section class="card${focus ? ' focus' : ''}" id="app-${escapeHtml(app.clientId)}" data-client-id="${escapeHtml(app.clientId)}">
<h2>${escapeHtml(app.name)}</h2><p class="org">${escapeHtml(app.organization)} · <span class="small">${escapeHtml(app.clientId)}</span></p>
<table>${rows.join('')}</table></section>`;
}

export function unknownAppPage(clientId: string): string {
  return pageLayout(
    'App not found — Referral Hub consent portal',
    `<h1>We could not find that app</h1>
<p class="error" role="alert">The link you followed names an app (<span class="small">${escapeHtml(clientId)}</span>) that is not registered with this consent portal, or no longer is.</p>
<p>Nothing has been shared. Please check the link with the practice or hospital that gave it to you.</p>
<p><a href="/consent/portal">Go to your consent portal</a></p>`,
  );
}

export function accountLinkPage(options: { token: string; csrfToken: string; purpose: 'enrol' | 'reset'; username: string; error?: string }): string {
  const enrol = options.purpose === 'enrol';
  return pageLayout(
    enrol ? 'Create your password — Referral Hub consent portal' : 'Choose a new password — Referral Hub consent portal',
    `<h1>${enrol ? 'Welcome to your consent portal' : 'Choose a new password'}</h1>
<p>${enrol ? 'Create a password to finish setting up your account' : 'Set a new password for your account'} <strong>${escapeHtml(options.username)}</strong>. Use at least ${MIN_PASSWORD_LENGTH} characters.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/consent/portal/account" class="card">
<input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}"><input type="hidden" name="token" value="${escapeHtml(options.token)}">
<input type="text" name="username" value="${escapeHtml(options.username)}" autocomplete="username" hidden>
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
<label for="confirm">The same password again</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
<p><button type="submit">${enrol ? 'Create my password' : 'Save my new password'}</button></p></form>`,
  );
}

export function accountLinkDonePage(): string {
  return pageLayout(
    'Password saved — Referral Hub consent portal',
    `<h1>Your password is saved</h1><p role="status">You can now sign in to choose who may read your records.</p>
<p><a href="/consent/portal">Sign in to your consent portal</a></p>`,
  );
}

export function accountLinkInvalidPage(): string {
  return pageLayout(
    'Link no longer valid — Referral Hub consent portal',
    `<h1>This link no longer works</h1>
<p class="error" role="alert">It has expired or has already been used. Each link works once.</p>
<p>Please ask your practice or hospital for a new link.</p>`,
  );
}

/** Where a patient starts again after an error: the page's own start, named in plain words. */
export interface StartAgain {
  /** `your consent portal`, `the app that sent you here` */
  place: string;
  link?: { href: string; label: string };
}

const FROM_THE_PORTAL: StartAgain = { place: 'your consent portal', link: { href: '/consent/portal', label: 'Go to your consent portal' } };

/** Any error on a patient's page, in plain words; the technical message only where it helps them. */
export function errorPage(error: ErrorModel, startAgain: StartAgain = FROM_THE_PORTAL): string {
  const { heading, advice } = plainWordsFor(error, startAgain.place);
  return pageLayout(
    `${heading} — Referral Hub`,
    `<h1>${escapeHtml(heading)}</h1>
<p class="error" role="alert">${escapeHtml(advice)}</p>
${error.status === 400 ? `<p class="small">Details for the help desk: ${escapeHtml(error.message)}</p>` : ''}
${startAgain.link ? `<p><a href="${escapeHtml(startAgain.link.href)}">${escapeHtml(startAgain.link.label)}</a></p>` : ''}`,
  );
}

function plainWordsFor(error: ErrorModel, place: string): { heading: string; advice: string } {
  if (error.status === 400) return { heading: 'That did not work', advice: `Please go back to ${place} and try again.` };
  if (error.status === 404) return { heading: 'We could not find that page', advice: `Please check the link, or start again from ${place}.` };
  if (error.status === 429) return { heading: 'Too many attempts', advice: 'Please wait a few minutes before trying again.' };
  if (error.status >= 500)
    return { heading: 'Something went wrong on our side', advice: 'Please try again in a moment. If it keeps happening, contact your practice or hospital.' };
  return { heading: 'That could not be done', advice: error.message };
}
