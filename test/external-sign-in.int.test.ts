// Clinicians signing in at an external OpenID Connect provider (CLINICIAN_OIDC_*), here a real
// oidc-provider over HTTP with keys of its own: the web app, in Chromium, signs Dr Patel in there
// (PKCE, the code exchanged at the provider's token endpoint) and works with the access token it
// gets; /api takes the provider's tokens for the configured audience and client that name a
// practitioner of the directory in the configured claim, and nothing else.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, withoutChromium } from './support/browser.js';
import { appPage, assertAccessible } from './support/clinician-app.js';
import { testEngines } from './support/engines.js';
import { formClient } from './support/form-client.js';
import { startReachableHarness, type Harness } from './support/harness.js';
import { startIdentityProvider, type IdentityProvider } from './support/identity-provider.js';
import { freePort } from './support/ports.js';

const APP_CLIENT = 'referral-hub-at-the-trust';
const OTHER_CLIENT = 'another-app-of-the-trust';
const NAMES: Record<string, string> = { 'dr-patel': 'Dr Raj Patel', 'dr-nobody': 'Dr No Body' };

describe('clinicians signing in at an external OpenID Connect provider', () => {
  const [engine] = testEngines();
  let idp: IdentityProvider;
  let hub: Harness;
  before(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({
      clients: [
        { clientId: APP_CLIENT, redirectUri: `${base}/app/callback` },
        { clientId: OTHER_CLIENT, redirectUri: `${base}/elsewhere` },
      ],
      audience: 'referral-hub-api',
      claimsOf: (accountId) => ({ practitioner_id: accountId, name: NAMES[accountId] }),
    });
    const clinicianOidc = {
      issuer: idp.issuer,
      clientId: APP_CLIENT,
      scope: 'openid offline_access api',
      audience: 'referral-hub-api',
      practitionerClaim: 'practitioner_id',
    };
    hub = await startReachableHarness(engine!, { config: { port, publicBaseUrl: base, clinicianOidc }, clock: 'running' });
  });
  after(async () => {
    await hub?.close();
    await idp?.close();
  });

  /** An access token from the provider for `clientId`, signed in as `account`, as a public client with PKCE gets it. */
  async function tokenFromProvider(account: string, clientId = APP_CLIENT, redirectUri = `${hub.baseUrl}/app/callback`): Promise<string> {
    idp.signInAs(account);
    const verifier = randomBytes(32).toString('base64url');
    const authorization = new URL(`${idp.issuer}/auth`);
    const params = {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid offline_access api',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) authorization.searchParams.set(name, value);
    const browser = formClient(idp.issuer);
    const landed = await browser.follow(authorization.href);
    const code = new URL(landed.location!).searchParams.get('code');
    assert.ok(code, `the provider answered ${landed.status} ${landed.location}`);
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }),
    });
    assert.equal(response.status, 200);
    return (await response.json()).access_token;
  }

  const worklists = (token: string) => fetch(`${hub.baseUrl}/api/worklists`, { headers: { authorization: `Bearer ${token}` } });

  it('tells the web app to sign in at the provider', async () => {
    const place = await (await fetch(`${hub.baseUrl}/app/sign-in.json`)).json();
    assert.deepEqual(place, {
      authorizationEndpoint: `${idp.issuer}/auth`,
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: APP_CLIENT,
      scope: 'openid offline_access api',
    });
    const page = await fetch(`${hub.baseUrl}/app/`);
    assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ${idp.issuer}`), 'the app may exchange its code there');
  });

  it("takes the provider's token for a practitioner of the directory, who acts in the directory's roles", async () => {
    const token = await tokenFromProvider('dr-patel');
    assert.equal((await worklists(token)).status, 200);
    const inbox = await fetch(`${hub.baseUrl}/api/referrals/inbox?performerId=Organization/royal-london-cardiology`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(inbox.status, 200, 'Dr Patel receives for cardiology');
  });

  it('refuses a practitioner the directory does not know, and a token issued to another client of the provider', async () => {
    const stranger = await worklists(await tokenFromProvider('dr-nobody'));
    assert.equal(stranger.status, 403);
    assert.equal((await stranger.json()).code, 'PRACTITIONER_NOT_IN_DIRECTORY');
    const otherClient = await worklists(await tokenFromProvider('dr-patel', OTHER_CLIENT, `${hub.baseUrl}/elsewhere`));
    assert.equal(otherClient.status, 401);
  });

  describe('the web app in Chromium', { skip: withoutChromium }, () => {
    let browser: Browser;
    before(async () => {
      const built = spawnSync(process.execPath, ['scripts/build-web.mjs'], { encoding: 'utf8' });
      assert.equal(built.status, 0, built.stderr);
      browser = await launchChromium();
    });
    after(() => browser?.close());

    it('signs Dr Patel in at the provider and shows his worklists', async () => {
      idp.signInAs('dr-patel');
      const { page, errors } = await appPage(browser, 1280);
      await page.goto(`${hub.baseUrl}/app/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      assert.match(await page.locator('header').innerText(), /Dr Raj Patel/);
      await page.locator('[data-worklist="new"]').waitFor();
      await assertAccessible(page, 'the worklists after signing in at the provider');
      assert.deepEqual(errors, []);
    });
  });
});
