// Signing in: authorization code with PKCE (S256), the app being a public client, at the place the
// service names (/app/sign-in.json): its own OpenID Connect server, or the external provider it is
// configured with. The tokens live in this tab's session storage
// only: the short-lived access token for /api is renewed with the refresh token shortly before it
// expires, and both are forgotten at sign-out, or when the server no longer takes them (a password
// reset ends every sign-in).

/** Renew the access token this long before it expires. */
const RENEW_BEFORE_MS = 60_000;
const PENDING = 'referral-hub.sign-in';
const SESSION = 'referral-hub.session';

/** Where and how to sign in, as /app/sign-in.json says. */
interface SignInPlace {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope: string;
}

export interface Session {
  /** Where its tokens are renewed. */
  place: SignInPlace;
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
  const answer = await fetch('/app/sign-in.json');
  if (!answer.ok) throw new Error('Signing in is not available right now: please try again in a moment.');
  const place = (await answer.json()) as SignInPlace;
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, place }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const authorization = new URL(place.authorizationEndpoint, location.origin);
  const params = {
    client_id: place.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: place.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) authorization.searchParams.set(name, value);
  location.assign(authorization.href);
}

/** On /app/callback: exchanges the code for the session, or says why not. */
export async function completeSignIn(query: URLSearchParams): Promise<Session> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; place: SignInPlace } | null;
  sessionStorage.removeItem(PENDING);
  if (query.get('error')) throw new Error(query.get('error_description') ?? query.get('error') ?? 'The sign-in was refused');
  if (!pending || query.get('state') !== pending.state) throw new Error('This sign-in was not started here: please sign in again.');
  const response = await fetch(new URL(pending.place.tokenEndpoint, location.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: pending.place.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error('The sign-in could not be completed: please sign in again.');
  return keep(await response.json(), pending.place);
}

interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

function keep(
  { access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken }: TokenResponse,
  place: SignInPlace,
  previous?: Session,
): Session {
  const claims = JSON.parse(atob(accessToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { name?: string };
  const session = {
    place,
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
  const response = await fetch(new URL(session.place.tokenEndpoint, location.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken, client_id: session.place.clientId }),
  }).catch(() => undefined);
  if (response?.ok) return keep(await response.json(), session.place, session);
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
