// The SMART authorization pages: the patient's sign-in and the consent screen, where each requested
// resource type is allowed or refused on its own. Server-rendered, no JavaScript needed.
import type { VNode } from 'preact';
import type { ErrorModel } from '../../platform/http-errors.js';
import { ErrorPage } from '../../platform/pages/error-page.js';
import { Page, SignInFields } from '../../platform/pages/page.js';
import { RecordKind } from '../portal/pages.js';

export function smartLoginPage({ uid, appName, error }: { uid: string; appName: string; error?: string }): VNode {
  return (
    <Page title={`Sign in — ${appName}`}>
      <h1>Sign in to share your records</h1>
      <p>
        <strong>{appName}</strong> asks to read some of your health records.
      </p>
      <SignInForm uid={uid} error={error} />
    </Page>
  );
}

/** The clinicians' sign-in, for the service's own web app. */
export function clinicianLoginPage({ uid, error }: { uid: string; error?: string }): VNode {
  return (
    <Page title="Sign in — Referral Hub for clinicians">
      <h1>Sign in to Referral Hub</h1>
      <p>For clinicians: your referrals to send and to answer. Sign in with the username your organisation gave you.</p>
      <SignInForm uid={uid} error={error} />
    </Page>
  );
}

/** The username and password an interaction of the authorization server asks for, and why the last try failed. */
function SignInForm({ uid, error }: { uid: string; error?: string }): VNode {
  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action={`/oauth/interaction/${encodeURIComponent(uid)}/login`} class="card">
        <SignInFields />
      </form>
    </>
  );
}

export function smartConsentPage(options: {
  uid: string;
  appName: string;
  organization: string;
  greeting: string;
  types: { resourceType: string; alreadyAllowed: boolean }[];
}): VNode {
  return (
    <Page title={`Allow ${options.appName}?`}>
      <h1>{options.appName}</h1>
      <p class="small">Signed in as {options.greeting}.</p>
      <p class="org">{options.organization} asks to read these records of yours. Choose for each.</p>
      <form method="post" action={`/oauth/interaction/${encodeURIComponent(options.uid)}/consent`} class="card">
        {options.types.map(({ resourceType, alreadyAllowed }) => (
          <fieldset class="choice" data-resource-type={resourceType}>
            <legend>
              <RecordKind resourceType={resourceType} />
            </legend>
            {alreadyAllowed && <p class="small allowed">You already allow this.</p>}
            <div class="options">
              <label>
                <input type="radio" name={`type:${resourceType}`} value="allow" checked={alreadyAllowed} /> Allow
              </label>
              <label>
                <input type="radio" name={`type:${resourceType}`} value="refuse" checked={!alreadyAllowed} /> Don’t allow
              </label>
            </div>
          </fieldset>
        ))}
        <p>
          <button type="submit">Confirm</button>
        </p>
      </form>
      <p class="small">You can change this at any time in your consent portal.</p>
    </Page>
  );
}

/** Starting again from a SMART sign-in means going back to the app that opened it. */
export const smartErrorPage = (error: ErrorModel): VNode => <ErrorPage error={error} startAgain={{ place: 'the app that sent you here' }} />;
