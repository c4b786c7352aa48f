// The clinician web app's sign-in against a running server, as the app and a browser do it: the
// authorization request with PKCE, the clinician's username and password on the server's page, and
// the code exchanged for an access token for /api.
import { createHash, randomBytes } from 'node:crypto';
import { formClient, type FormResponse } from './form-client.js';

const CLINICIAN_APP = 'referral-hub-web';

export interface ClinicianSignIn {
  /** The sign-in page's answer to the username and password. */
  answer: FormResponse;
  /** The access token for /api, when the sign-in went through. */
  accessToken?: string;
  /** The OpenID Connect id token that came with it. */
  idToken?: string;
  /** What renews the access token. */
  refreshToken?: string;
}

export async function signInClinician(
  base: string,
  username: string,
  password: string,
  options: { clientId?: string; redirectUri?: string } = {},
): Promise<ClinicianSignIn> {
  const clientId = options.clientId ?? CLINICIAN_APP;
  const redirectUri = options.redirectUri ?? `${base}/app/callback`;
  const verifier = randomBytes(32).toString('base64url');
  const authorization = new URL(`${base}/oauth/auth`);
  const params = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid offline_access referrals',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) authorization.searchParams.set(name, value);
  const browser = formClient(base);
  const signInPage = await browser.follow(authorization.href);
  const uid = /\/oauth\/interaction\/([^/"]+)\/login/.exec(signInPage.html)?.[1];
  if (!uid)
    throw new Error(
      `no sign-in page: ${signInPage.status} ${signInPage.html
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(-400)}`,
    );
  const answer = await browser.post(`/oauth/interaction/${uid}/login`, { username, password });
  if (!answer.location) return { answer };
  let next = answer;
  while (next.location && !next.location.startsWith(redirectUri)) next = await browser.get(next.location);
  const code = next.location && new URL(next.location).searchParams.get('code');
  if (!code) throw new Error(`no code: ${next.status} ${next.location} ${next.html.slice(0, 300)}`);
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`the token request answered ${response.status}: ${await response.text()}`);
  const tokens = (await response.json()) as { access_token: string; id_token: string; refresh_token?: string };
  return { answer, accessToken: tokens.access_token, idToken: tokens.id_token, refreshToken: tokens.refresh_token };
}
