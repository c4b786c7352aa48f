// The consent portal's pages: server-rendered HTML that works without JavaScript and reads well on a
// phone. Every form carries the CSRF token.
import type { VNode } from 'preact';
import type { ErrorModel } from '../../platform/http-errors.js';
import { ErrorPage, type StartAgain } from '../../platform/pages/error-page.js';
import { Page, SignInFields } from '../../platform/pages/page.js';
import { MIN_PASSWORD_LENGTH } from '../directory/patient-accounts.js';

export interface AppAccess {
  clientId: string;
  name: string;
  organization: string;
  types: { resourceType: string; grant?: { id: number; since: string; source: string; until?: string } }[];
}

const PORTAL_TITLE = 'Referral Hub consent portal';
const FROM_THE_PORTAL: StartAgain = { place: 'your consent portal', link: { href: '/consent/portal', label: 'Go to your consent portal' } };

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

/** A read of the patient's records, with the app's name. */
export interface ReadShown {
  at: string;
  app: string;
  resourceType: string;
  allowed: boolean;
}

export function portalPage(options: {
  patientId: string;
  csrfToken: string;
  apps: AppAccess[];
  focusClientId?: string;
  notice?: string;
  error?: string;
  reads?: ReadShown[];
}): VNode {
  const { patientId, csrfToken, apps, focusClientId, notice, error, reads = [] } = options;
  return (
    <Page title={PORTAL_TITLE}>
      <h1>Who may read your records</h1>
      <p class="small">Signed in for {patientId}.</p>
      {notice && (
        <p class="card" role="status">
          {notice}
        </p>
      )}
      <Alert message={error} />
      {apps.length === 0 && <p>No facility app holds or asks for access to your records.</p>}
      {apps.map((app) => (
        <AppCard app={app} csrfToken={csrfToken} focus={app.clientId === focusClientId} />
      ))}
      <RecentReads reads={reads} />
      <form method="post" action="/consent/portal/logout">
        <Csrf token={csrfToken} />
        <button class="secondary" type="submit">
          Sign out
        </button>
      </form>
    </Page>
  );
}

function AppCard({ app, csrfToken, focus }: { app: AppAccess; csrfToken: string; focus: boolean }): VNode {
  return (
    <section class={focus ? 'card focus' : 'card'} id={`app-${app.clientId}`} data-client-id={app.clientId}>
      <h2>{app.name}</h2>
      <p class="org">
        {app.organization} · <span class="small">{app.clientId}</span>
      </p>
      <table>
        {app.types.map(({ resourceType, grant }) => (
          <tr data-resource-type={resourceType}>
            <td>
              <strong>{resourceType}</strong>
            </td>
            <td>{grant ? <GrantState grant={grant} /> : <span class="refused">Not allowed</span>}</td>
            <td>
              <form method="post" action={grant ? '/consent/portal/revoke' : '/consent/portal/grant'}>
                <Csrf token={csrfToken} />
                <input type="hidden" name="client_id" value={app.clientId} />
                {grant ? <input type="hidden" name="grant_id" value={grant.id} /> : <input type="hidden" name="resource_type" value={resourceType} />}
                <button class={grant ? 'secondary' : undefined} type="submit" aria-label={`${grant ? 'Revoke' : 'Allow'} ${resourceType}`}>
                  {grant ? 'Revoke' : 'Allow'}
                </button>
              </form>
            </td>
          </tr>
        ))}
      </table>
    </section>
  );
}

/** Who read the patient's records lately, and who was refused: from the audit trail of every read. */
function RecentReads({ reads }: { reads: ReadShown[] }): VNode {
  return (
    <section class="card" id="recent-reads">
      <h2>Who read your records</h2>
      {reads.length === 0 ? (
        <p class="small">No app has read your records yet.</p>
      ) : (
        <table>
          {reads.map((read) => (
            <tr data-read-by={read.app}>
              <td>
                <strong>{read.app}</strong>
                <br />
                <span class="small">{read.resourceType}</span>
              </td>
              <td class={read.allowed ? 'allowed' : 'refused'}>{read.allowed ? 'Read' : 'Refused'}</td>
              <td class="small">
                <time dateTime={read.at}>
                  <span class="nowrap">{read.at.slice(0, 10)}</span> <span class="nowrap">{read.at.slice(11, 16)} UTC</span>
                </time>
              </td>
            </tr>
          ))}
        </table>
      )}
    </section>
  );
}

function GrantState({ grant }: { grant: NonNullable<AppAccess['types'][number]['grant']> }): VNode {
  return (
    <>
      <span class="allowed">Allowed</span>
      <br />
      <span class="small">
        since{' '}
        <time class="nowrap" dateTime={grant.since}>
          {grant.since.slice(0, 10)}
        </time>
        , via {grant.source}
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

export function accountLinkPage(options: { token: string; csrfToken: string; purpose: 'enrol' | 'reset'; username: string; error?: string }): VNode {
  const enrol = options.purpose === 'enrol';
  return (
    <Page title={`${enrol ? 'Create your password' : 'Choose a new password'} — ${PORTAL_TITLE}`}>
      <h1>{enrol ? 'Welcome to your consent portal' : 'Choose a new password'}</h1>
      <p>
        {enrol ? 'Create a password to finish setting up your account' : 'Set a new password for your account'} <strong>{options.username}</strong>. Use at
        least {MIN_PASSWORD_LENGTH} characters.
      </p>
      <Alert message={options.error} />
      <form method="post" action="/consent/portal/account" class="card">
        <Csrf token={options.csrfToken} />
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

export function accountLinkDonePage(): VNode {
  return (
    <Page title={`Password saved — ${PORTAL_TITLE}`}>
      <h1>Your password is saved</h1>
      <p role="status">You can now sign in to choose who may read your records.</p>
      <p>
        <a href="/consent/portal">Sign in to your consent portal</a>
      </p>
    </Page>
  );
}

export function accountLinkInvalidPage(): VNode {
  return (
    <Page title={`Link no longer valid — ${PORTAL_TITLE}`}>
      <h1>This link no longer works</h1>
      <p class="error" role="alert">
        It has expired or has already been used. Each link works once.
      </p>
      <p>Please ask your practice or hospital for a new link.</p>
    </Page>
  );
}

export const portalErrorPage = (error: ErrorModel): VNode => <ErrorPage error={error} startAgain={FROM_THE_PORTAL} />;
