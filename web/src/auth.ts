// Signing in through the service's own OpenID Connect server: authorization code with PKCE (S256),
// the app being the public client `referral-hub-web`. The tokens live in this tab's session storage
// only: the short-lived access token for /api is renewed with the refresh token shortly before it
// expires, and both are forgotten at sign-out, or when the server no longer takes them (a password
// reset ends every sign-in).

const CLIENT_ID = 'referral-hub-web';
const SCOPE = 'openid offline_access referrals';
/** Renew the access token this long before it expires. */
const RENEW_BEFORE_MS = 60_000;
const PENDING = 'referral-hub.sign-in';
const SESSION = 'referral-hub.session';

export interface Session {
  accessToken: string;
  /** Renews the access token; absent when the server gave none. */
  refreshToken?: string;
  /** Who signed in, as the token names them. */
  name: string;
  expiresAt: number;
}

const redirectUri = () => `${location.origin}/app/callback`;

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** Leaves for the sign-in page; the server sends the browser back to /app/callback. */
export async function signIn(): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const authorization = new URL('/oauth/auth', location.origin);
  const params = {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: SCOPE,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) authorization.searchParams.set(name, value);
  location.assign(authorization.href);
}

/** On /app/callback: exchanges the code for the session, or says why not. */
export async function completeSignIn(query: URLSearchParams): Promise<Session> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  if (query.get('error')) throw new Error(query.get('error_description') ?? query.get('error') ?? 'The sign-in was refused');
  if (!pending || query.get('state') !== pending.state) throw new Error('This sign-in was not started here: please sign in again.');
  const response = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: CLIENT_ID,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error('The sign-in could not be completed: please sign in again.');
  return keep(await response.json());
}

interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

function keep({ access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken }: TokenResponse, previous?: Session): Session {
  const claims = JSON.parse(atob(accessToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { name?: string };
  const session = {
    accessToken,
    refreshToken: refreshToken ?? previous?.refreshToken,
    name: claims.name ?? previous?.name ?? '',
    expiresAt: Date.now() + expiresIn * 1000,
  };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

let renewing: Promise<Session | undefined> | undefined;

/** A live access token: the session's, renewed first when it is about to expire; undefined once the sign-in has ended. */
export async function freshAccessToken(): Promise<string | undefined> {
  const session = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null') as Session | null;
  if (!session) return undefined;
  if (session.expiresAt - Date.now() > RENEW_BEFORE_MS) return session.accessToken;
  renewing ??= renew(session).finally(() => (renewing = undefined));
  return (await renewing)?.accessToken;
}

async function renew(session: Session): Promise<Session | undefined> {
  if (!session.refreshToken) return currentSession();
  const response = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken, client_id: CLIENT_ID }),
  }).catch(() => undefined);
  if (response?.ok) return keep(await response.json(), session);
  // Refused: the sign-in has ended (signed out elsewhere, or the password reset). A network failure keeps the token while it lives.
  if (response) signOut();
  return currentSession();
}

/** The session of this tab, while its token lives. */
export function currentSession(): Session | undefined {
  const session = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null') as Session | null;
  return session && session.expiresAt > Date.now() ? session : undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION);
}
