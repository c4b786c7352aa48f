// Clinicians sign in to the web app through the service's own OpenID Connect server, over real HTTP
// on every engine: authorization code with PKCE for the first-party public client, their directory
// account's password (throttled as every sign-in is), and an access token /api takes — a JWT for
// the API's audience naming the practitioner, who then acts in the directory's roles — renewed with
// a refresh token. Practitioners enrol, and reset a forgotten password, through one-time links an
// administrator gives them; a reset ends their earlier sign-ins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { seedDemoClinicians, seedDemoPortal } from '../demo/seed.js';
import { signInClinician } from '../../../test/support/clinician-sign-in.js';
import { testEngines } from '../../../test/support/engines.js';
import { formClient } from '../../../test/support/form-client.js';
import { guideReferral, startReachableHarness, type Harness } from '../../../test/support/harness.js';

const PASSWORD = 'clinician-test-password';

for (const engine of testEngines()) {
  describe(`clinicians' sign-in to the web app on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startReachableHarness(engine);
      await seedDemoClinicians(hub.database.db, hub.clock, PASSWORD);
      await seedDemoPortal(hub.database.db, hub.clock, 'patient-test-password');
    });
    after(() => hub?.close());

    const asBearer = (token: string, path: string, init: RequestInit = {}) =>
      fetch(`${hub.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

    it('signs Dr Smith in with PKCE and gives the app a token /api takes, acting in his roles', async () => {
      const { accessToken } = await signInClinician(hub.baseUrl, 'dr-smith', PASSWORD);
      assert.ok(accessToken);
      const claims = decodeJwt(accessToken);
      assert.equal(claims.aud, 'referral-hub-api');
      assert.equal(claims.fhirUser, 'Practitioner/dr-smith');
      assert.equal(claims.iss, `${hub.baseUrl}/oauth`);
      const worklists = await asBearer(accessToken, '/api/worklists');
      assert.equal(worklists.status, 200);
      const created = await asBearer(accessToken, '/api/referrals', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(guideReferral()),
      });
      assert.equal(created.status, 201, 'he drafts a referral as the practice’s referrer');
      const asPatel = await signInClinician(hub.baseUrl, 'dr-patel', PASSWORD);
      const refused = await asBearer(asPatel.accessToken!, '/api/referrals', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(guideReferral()),
      });
      assert.equal(refused.status, 403, 'Dr Patel does not refer for the GP practice');
    });

    it('refuses a wrong password on the page, and a patient’s account', async () => {
      const wrong = await signInClinician(hub.baseUrl, 'dr-smith', 'not the password');
      assert.equal(wrong.answer.status, 401);
      assert.match(wrong.answer.html, /do not match/);
      assert.equal(wrong.accessToken, undefined);
      const patient = await signInClinician(hub.baseUrl, 'patient', 'patient-test-password');
      assert.equal(patient.answer.status, 401, 'a patient is no clinician');
    });

    it('refuses a token it did not sign, an id token, and a facility app asking for /api', async () => {
      const { accessToken, idToken } = await signInClinician(hub.baseUrl, 'dr-other', PASSWORD);
      const [header, payload] = accessToken!.split('.');
      const forged = `${header}.${payload}.${'A'.repeat(86)}`;
      assert.equal((await asBearer(forged, '/api/worklists')).status, 401);
      assert.ok(idToken);
      assert.equal((await asBearer(idToken, '/api/worklists')).status, 401, 'an id token, signed by the same server, is no access token');
      const authorization = new URL(`${hub.baseUrl}/oauth/auth`);
      for (const [name, value] of Object.entries({
        client_id: 'royal-london-cardiology-smart',
        response_type: 'code',
        redirect_uri: `${hub.baseUrl}/demo/smart-app/callback`,
        scope: 'openid referrals',
        aud: `${hub.baseUrl}/fhir`,
        resource: `${hub.baseUrl}/api`,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      }))
        authorization.searchParams.set(name, value);
      const answer = await fetch(authorization, { redirect: 'manual' });
      assert.match(answer.headers.get('location') ?? '', /error=invalid_target/);
    });

    const renew = (refreshToken: string) =>
      fetch(`${hub.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'referral-hub-web' }),
      });

    it('renews the app’s short-lived access token with its refresh token', async () => {
      const { accessToken, refreshToken } = await signInClinician(hub.baseUrl, 'dr-smith', PASSWORD);
      const claims = decodeJwt(accessToken!);
      assert.equal(claims.exp! - claims.iat!, 600, 'the access token lives ten minutes');
      assert.ok(refreshToken, 'with a refresh token');
      const renewed = await renew(refreshToken);
      assert.equal(renewed.status, 200);
      const tokens = await renewed.json();
      assert.equal(decodeJwt(tokens.access_token).fhirUser, 'Practitioner/dr-smith');
      assert.equal((await asBearer(tokens.access_token, '/api/worklists')).status, 200, '/api takes the renewed token');
    });

    /** Sets a password through a one-time link as a browser does: 200 and the saved page, or the page that says why not. */
    async function setPasswordThrough(url: string, password: string) {
      const browser = formClient(hub.baseUrl);
      const form = await browser.get(new URL(url).pathname + new URL(url).search);
      if (form.status !== 200) return form;
      const token = new URL(url).searchParams.get('token')!;
      return browser.post('/clinicians/account', { token, password, confirm: password });
    }

    it('enrols a practitioner through a one-time link, and a reset link ends their sign-ins', async () => {
      await hub.request('POST', '/api/admin/practitioners', { as: 'admin', body: { id: 'dr-lee', name: 'Dr Ana Lee' } });
      await hub.request('POST', '/api/admin/practitioners/dr-lee/roles', {
        as: 'admin',
        body: { organization: 'Organization/city-hospital', role: 'receiver' },
      });
      const invited = await hub.request('POST', '/api/admin/practitioners/dr-lee/account-link', { as: 'admin' });
      assert.equal(invited.status, 201);
      assert.equal(invited.body.state, 'invited');
      assert.equal(invited.body.link.purpose, 'enrol');
      assert.match(invited.body.link.url, /\/clinicians\/account\?token=/);
      assert.equal((await signInClinician(hub.baseUrl, 'dr-lee', 'lee-first-password')).answer.status, 401, 'no password before enrolling');

      const tooShort = await setPasswordThrough(invited.body.link.url, 'short');
      assert.equal(tooShort.status, 400);
      assert.match(tooShort.html, /at least 10 characters/);
      const enrolled = await setPasswordThrough(invited.body.link.url, 'lee-first-password');
      assert.equal(enrolled.status, 200);
      assert.match(enrolled.html, /Your password is saved/);
      assert.equal((await setPasswordThrough(invited.body.link.url, 'lee-other-password')).status, 410, 'a link works once');
      const first = await signInClinician(hub.baseUrl, 'dr-lee', 'lee-first-password');
      assert.equal((await asBearer(first.accessToken!, '/api/worklists')).status, 200);

      const reset = await hub.request('POST', '/api/admin/practitioners/dr-lee/account-link', { as: 'admin' });
      assert.equal(reset.body.state, 'active');
      assert.equal(reset.body.link.purpose, 'reset');
      assert.equal((await setPasswordThrough(reset.body.link.url, 'lee-second-password')).status, 200);
      assert.equal((await renew(first.refreshToken!)).status, 400, 'the earlier sign-in ends: its refresh token is refused');
      assert.equal((await signInClinician(hub.baseUrl, 'dr-lee', 'lee-first-password')).answer.status, 401, 'the old password no longer works');
      assert.ok((await signInClinician(hub.baseUrl, 'dr-lee', 'lee-second-password')).accessToken, 'the new one does');
      const audit = await hub.database.db.selectFrom('audit_event').select('action').where('entity_id', '=', 'dr-lee').orderBy('seq').execute();
      assert.deepEqual(
        audit.map((event) => event.action).filter((action) => action.startsWith('directory.practitioner-account')),
        [
          'directory.practitioner-account.enrol-link',
          'directory.practitioner-account.enrolled',
          'directory.practitioner-account.reset-link',
          'directory.practitioner-account.password-reset',
        ],
      );
    });

    it('opens a patient’s link only in the portal, and refuses links for unknown or inactive practitioners', async () => {
      const patientLink = await hub.request('POST', '/api/admin/patient-accounts/patient/link', { as: 'admin' });
      assert.equal(
        (await setPasswordThrough(patientLink.body.link.url.replace('/consent/portal/account', '/clinicians/account'), 'patient-new-password')).status,
        410,
      );
      assert.equal((await hub.request('POST', '/api/admin/practitioners/nobody/account-link', { as: 'admin' })).status, 404);
      assert.equal((await hub.request('POST', '/api/admin/practitioners/dr-lee/account-link', { as: 'dr-smith' })).status, 403);
    });

    it('stops taking the token once the practitioner leaves the directory', async () => {
      const { accessToken } = await signInClinician(hub.baseUrl, 'dr-other', PASSWORD);
      assert.equal((await asBearer(accessToken!, '/api/worklists')).status, 200);
      assert.equal((await hub.request('PATCH', '/api/admin/practitioners/dr-other', { as: 'admin', body: { active: false } })).status, 200);
      try {
        const refused = await asBearer(accessToken!, '/api/worklists');
        assert.equal(refused.status, 403);
        assert.equal((await refused.json()).code, 'PRACTITIONER_NOT_IN_DIRECTORY');
        assert.equal((await signInClinician(hub.baseUrl, 'dr-other', PASSWORD)).answer.status, 401, 'nor signs them in again');
      } finally {
        await hub.request('PATCH', '/api/admin/practitioners/dr-other', { as: 'admin', body: { active: true } });
      }
    });
  });
}
