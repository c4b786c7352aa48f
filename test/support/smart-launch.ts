// The demo SMART app's standalone launch against a running server, as a browser and the app do it:
// the authorization request with PKCE, the patient's sign-in, the consent screen's choices, and the
// code exchanged for tokens. Tests and benchmarks use it to hold a real access token.
import { createHash, randomBytes } from 'node:crypto';
import { formClient } from './form-client.js';

const APP = 'royal-london-cardiology-smart';

export interface LaunchOptions {
  password: string;
  /** Resource types asked as `patient/<type>.rs`, each allowed on the consent screen. */
  allow: string[];
}

/** The demo app's authorization request to the server at `base`, as a browser opens it (PKCE S256 with `codeChallenge`). */
export function demoAppAuthorization(base: string, scope: string, codeChallenge: string): string {
  const authorization = new URL(`${base}/oauth/auth`);
  const params = {
    client_id: APP,
    response_type: 'code',
    redirect_uri: `${base}/demo/smart-app/callback`,
    scope,
    aud: `${base}/fhir`,
    state: randomBytes(8).toString('hex'),
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) authorization.searchParams.set(name, value);
  return authorization.href;
}

export async function launchDemoApp(base: string, { password, allow }: LaunchOptions): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${base}/demo/smart-app/callback`;
  const scope = ['launch/patient', ...allow.map((type) => `patient/${type}.rs`)].join(' ');
  const browser = formClient(base);
  const signIn = await browser.follow(demoAppAuthorization(base, scope, createHash('sha256').update(verifier).digest('base64url')));
  const uid = /\/oauth\/interaction\/([^/"]+)\/login/.exec(signIn.html)![1]!;
  const consentScreen = await browser.follow((await browser.post(`/oauth/interaction/${uid}/login`, { username: 'patient', password })).location!);
  const consentUid = /\/oauth\/interaction\/([^/"]+)\/consent/.exec(consentScreen.html)![1]!;
  let answer = await browser.post(`/oauth/interaction/${consentUid}/consent`, Object.fromEntries(allow.map((type) => [`type:${type}`, 'allow'])));
  while (answer.location && !answer.location.startsWith(redirectUri)) answer = await browser.get(answer.location);
  const code = new URL(answer.location!).searchParams.get('code')!;
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: APP, code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`the token request answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
