// The consent portal's pages: server-rendered HTML that works without JavaScript and reads well on a
// phone. Every form carries the CSRF token.
import type { VNode } from 'preact';
import type { ErrorModel } from '../../platform/http-errors.js';
import { ErrorPage, type StartAgain } from '../../platform/pages/error-page.js';
import { Page, SignInFields } from '../../platform/pages/page.js';
import { MIN_PASSWORD_LENGTH } from '../directory/account-links.js';
import { plainGrantSource, plainResourceType } from '../vocabulary/plain-language.js';

export interface AppAccess {
  clientId: string;
  name: string;
  organization: string;
  types: { resourceType: string; grant?: { id: number; since: string; source: string; until?: string } }[];
}

const PORTAL_TITLE = 'Referral Hub consent portal';
/** Where the portal lives; every path of it starts here. */
export const PORTAL = '/consent/portal';
const FROM_THE_PORTAL: StartAgain = { place: 'your consent portal', link: { href: PORTAL, label: 'Go to your consent portal' } };

const Csrf = ({ token }: { token: string }) => <input type="hidden" name="csrf" value={token} />;

const Alert = ({ message }: { message?: string }) =>
  message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;

export function loginPage({ csrfToken, clientId, error }: { csrfToken: string; clientId?: string; error?: string }): VNode {
  return (
    <Page title={`Sign in — ${PORTAL_TITLE}`}>
      <h1>Your consent portal</h1>
      <p>Sign in to choose which of your health records each hospital or practice app may read.</p>
      <Alert message={error} />
      <form method="post" action="/consent/portal/login" class="card">
        <Csrf token={csrfToken} />
        {clientId && <input type="hidden" name="client_id" value={clientId} />}
        <SignInFields />
      </form>
    </Page>
  );
}

/** A read of the patient's records, with the app's and its organisation's names. */
export interface ReadShown {
  at: string;
  app: string;
  organization: string;
  resourceType: string;
  allowed: boolean;
}

/** A kind of record as the patient knows it, its technical name beside it. */
export function RecordKind({ resourceType }: { resourceType: string }): VNode {
  return (
    <>
      <strong>{plainResourceType(resourceType)}</strong>
      <br />
      <span class="small technical">{resourceType}</span>
    </>
  );
}

export function portalPage(options: {
  greeting: string;
  csrfToken: string;
  apps: AppAccess[];
  focusClientId?: string;
  notice?: string;
  error?: string;
  reads?: ReadShown[];
}): VNode {
  const { greeting, csrfToken, apps, focusClientId, notice, error, reads = [] } = options;
  return (
    <Page title={PORTAL_TITLE}>
      <h1>Who may read your records</h1>
      <p class="small">Signed in as {greeting}.</p>
      {notice && (
        <p class="card" role="status">
          {notice}
        </p>
      )}
      <Alert message={error} />
      {apps.length === 0 && <p>No hospital or practice app holds or asks for access to your records.</p>}
      {apps.map((app) => (
        <AppCard app={app} csrfToken={csrfToken} focus={app.clientId === focusClientId} />
      ))}
      <section class="card" id="recent-reads">
        <h2>Who read your records lately</h2>
        <ReadsTable reads={reads} />
        {reads.length > 0 && (
          <p>
            <a href={`${PORTAL}/reads`}>See every time your records were read</a>
          </p>
        )}
      </section>
      <SignOut csrfToken={csrfToken} />
    </Page>
  );
}

function SignOut({ csrfToken }: { csrfToken: string }): VNode {
  return (
    <form method="post" action={`${PORTAL}/logout`}>
      <Csrf token={csrfToken} />
      <button class="secondary" type="submit">
        Sign out
      </button>
    </form>
  );
}

function AppCard({ app, csrfToken, focus }: { app: AppAccess; csrfToken: string; focus: boolean }): VNode {
  return (
    <section class={focus ? 'card focus' : 'card'} id={`app-${app.clientId}`} data-client-id={app.clientId}>
      <h2>{app.name}</h2>
      <p class="org">{app.organization}</p>
      <table>
        {app.types.map(({ resourceType, grant }) => (
          <tr data-resource-type={resourceType}>
            <td>
              <RecordKind resourceType={resourceType} />
              <br />
              {grant ? <GrantState grant={grant} /> : <span class="refused">Not allowed</span>}
            </td>
            <td class="action">
              {grant ? (
                <a
                  class="button secondary"
                  href={`${PORTAL}/revoke?client_id=${encodeURIComponent(app.clientId)}&grant_id=${grant.id}`}
                  aria-label={`Stop sharing ${plainResourceType(resourceType)} with ${app.name}`}
                >
                  Stop sharing
                </a>
              ) : (
                <form method="post" action={`${PORTAL}/grant`}>
                  <Csrf token={csrfToken} />
                  <input type="hidden" name="client_id" value={app.clientId} />
                  <input type="hidden" name="resource_type" value={resourceType} />
                  <button type="submit" aria-label={`Allow ${app.name} to read ${plainResourceType(resourceType)}`}>
                    Allow
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </table>
    </section>
  );
}

/** Asked before a grant is revoked: what stops, and what does not. */
export function revokeConfirmPage(options: {
  csrfToken: string;
  clientId: string;
  grantId: number;
  appName: string;
  organization: string;
  resourceType: string;
}): VNode {
  const kind = plainResourceType(options.resourceType);
  return (
    <Page title={`Stop sharing? — ${PORTAL_TITLE}`}>
      <h1>Stop sharing your {kind.toLowerCase()}?</h1>
      <div class="card">
        <p>
          <strong>{options.appName}</strong> ({options.organization}) will no longer be able to read your {kind.toLowerCase()}{' '}
          <span class="small technical">({options.resourceType})</span>, from the moment you confirm.
        </p>
        <p>What it has already read stays with them. Referrals already sent are not cancelled: the hospital is told it can no longer read these records.</p>
        <form method="post" action={`${PORTAL}/revoke`}>
          <Csrf token={options.csrfToken} />
          <input type="hidden" name="client_id" value={options.clientId} />
          <input type="hidden" name="grant_id" value={options.grantId} />
          <p class="buttons">
            <button type="submit">Yes, stop sharing</button>{' '}
            <a class="button secondary" href={`${PORTAL}?client_id=${encodeURIComponent(options.clientId)}`}>
              No, keep sharing
            </a>
          </p>
        </form>
      </div>
    </Page>
  );
}

/** Every audited read of the patient's records, newest first. */
export function readsPage({ greeting, csrfToken, reads }: { greeting: string; csrfToken: string; reads: ReadShown[] }): VNode {
  return (
    <Page title={`Who read your records — ${PORTAL_TITLE}`}>
      <p>
        <a href={PORTAL}>← Back to who may read your records</a>
      </p>
      <h1>Who read your records</h1>
      <p class="small">
        Signed in as {greeting}. Every time an app asked for your records is listed, newest first — including the times it was refused because you had not
        allowed it.
      </p>
      <section class="card" id="reads">
        <ReadsTable reads={reads} />
      </section>
      <SignOut csrfToken={csrfToken} />
    </Page>
  );
}

function ReadsTable({ reads }: { reads: ReadShown[] }): VNode {
  if (reads.length === 0) return <p class="small">No app has read your records yet.</p>;
  return (
    <table>
      {reads.map((read) => (
        <tr data-read-by={read.app}>
          <td>
            <strong>{read.app}</strong>
            <br />
            <span class="small">{read.organization}</span>
          </td>
          <td>
            {plainResourceType(read.resourceType)}
            <br />
            <span class={read.allowed ? 'small allowed' : 'small refused'}>{read.allowed ? 'Read' : 'Refused'}</span>
          </td>
          <td class="small">
            <time dateTime={read.at}>
              <span class="nowrap">{read.at.slice(0, 10)}</span> <span class="nowrap">{read.at.slice(11, 16)} UTC</span>
            </time>
          </td>
        </tr>
      ))}
    </table>
  );
}

function GrantState({ grant }: { grant: NonNullable<AppAccess['types'][number]['grant']> }): VNode {
  return (
    <>
      <span class="allowed">Allowed</span>{' '}
      <span class="small">
        since{' '}
        <time class="nowrap" dateTime={grant.since}>
          {grant.since.slice(0, 10)}
        </time>
        , {plainGrantSource(grant.source)}
        {grant.until && (
          <>
            , until{' '}
            <time class="nowrap" dateTime={grant.until}>
              {grant.until.slice(0, 10)}
            </time>
          </>
        )}
      </span>
    </>
  );
}

export function unknownAppPage(clientId: string): VNode {
  return (
    <Page title={`App not found — ${PORTAL_TITLE}`}>
      <h1>We could not find that app</h1>
      <p class="error" role="alert">
        The link you followed names an app (<span class="small">{clientId}</span>) that is not registered with this consent portal, or no longer is.
      </p>
      <p>Nothing has been shared. Please check the link with the practice or hospital that gave it to you.</p>
      <p>
        <a href="/consent/portal">Go to your consent portal</a>
      </p>
    </Page>
  );
}

/** Who opens one-time account links on a surface, and in which words its pages speak to them. */
export interface AccountLinkAudience {
  /** The pages' title suffix. */
  place: string;
  /** Where the form posts. */
  action: string;
  welcome: string;
  /** What the saved password is for, and where to sign in with it. */
  afterwards: string;
  signIn: { href: string; label: string };
  /** Whom to ask for a new link. */
  askFor: string;
}

export const PATIENT_ACCOUNT_LINKS: AccountLinkAudience = {
  place: PORTAL_TITLE,
  action: `${PORTAL}/account`,
  welcome: 'Welcome to your consent portal',
  afterwards: 'You can now sign in to choose who may read your records.',
  signIn: { href: PORTAL, label: 'Sign in to your consent portal' },
  askFor: 'your practice or hospital',
};

/** The pages of a one-time link, in the words of `audience`. */
export function accountLinkPages(audience: AccountLinkAudience) {
  return {
    form: (options: { token: string; csrfToken?: string; purpose: 'enrol' | 'reset'; username: string; error?: string }) => (
      <AccountLinkForm audience={audience} {...options} />
    ),
    done: (): VNode => (
      <Page title={`Password saved — ${audience.place}`}>
        <h1>Your password is saved</h1>
        <p role="status">{audience.afterwards}</p>
        <p>
          <a href={audience.signIn.href}>{audience.signIn.label}</a>
        </p>
      </Page>
    ),
    invalid: (): VNode => (
      <Page title={`Link no longer valid — ${audience.place}`}>
        <h1>This link no longer works</h1>
        <p class="error" role="alert">
          It has expired or has already been used. Each link works once.
        </p>
        <p>Please ask {audience.askFor} for a new link.</p>
      </Page>
    ),
  };
}

function AccountLinkForm(options: {
  audience: AccountLinkAudience;
  token: string;
  csrfToken?: string;
  purpose: 'enrol' | 'reset';
  username: string;
  error?: string;
}): VNode {
  const enrol = options.purpose === 'enrol';
  return (
    <Page title={`${enrol ? 'Create your password' : 'Choose a new password'} — ${options.audience.place}`}>
      <h1>{enrol ? options.audience.welcome : 'Choose a new password'}</h1>
      <p>
        {enrol ? 'Create a password to finish setting up your account' : 'Set a new password for your account'} <strong>{options.username}</strong>. Use at
        least {MIN_PASSWORD_LENGTH} characters.
      </p>
      <Alert message={options.error} />
      <form method="post" action={options.audience.action} class="card">
        {options.csrfToken && <Csrf token={options.csrfToken} />}
        <input type="hidden" name="token" value={options.token} />
        <input type="text" name="username" value={options.username} autocomplete="username" hidden />
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" minLength={MIN_PASSWORD_LENGTH} required />
        <label for="confirm">The same password again</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" minLength={MIN_PASSWORD_LENGTH} required />
        <p>
          <button type="submit">{enrol ? 'Create my password' : 'Save my new password'}</button>
        </p>
      </form>
    </Page>
  );
}

export const portalErrorPage = (error: ErrorModel): VNode => <ErrorPage error={error} startAgain={FROM_THE_PORTAL} />;
