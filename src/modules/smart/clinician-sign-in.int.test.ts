// Clinicians sign in to the web app through the service's own OpenID Connect server, over real HTTP
// on every engine: authorization code with PKCE for the first-party public client, their directory
// account's password (throttled as every sign-in is), and an access token /api takes — a JWT for
// the API's audience naming the practitioner, who then acts in the directory's roles.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { seedDemoClinicians, seedDemoPortal } from '../demo/seed.js';
import { signInClinician } from '../../../test/support/clinician-sign-in.js';
import { testEngines } from '../../../test/support/engines.js';
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
