// Every referral and consent rule checked against the directory, over HTTP on both engines: the app
// must be the receiving organisation's own, the organisations active and related, the requester the
// caller, the sender one of the caller's organisations, and who the caller is comes from the directory.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { csrfIn, formClient } from '../../../test/support/form-client.js';
import { createDraft, grantConsent, guideReferral, startHarness, type Harness } from '../../../test/support/harness.js';
import { demoClaims } from '../demo/identities.js';
import { seedDemoPortal } from '../demo/seed.js';
import { mintToken } from '../identity/tokens.js';

const CITY = 'Organization/city-hospital';
const CARDIOLOGY_APP = 'royal-london-cardiology-smart';
/** The Why of the directory issue: a referral to City Hospital, sent on consent given to the cardiology app. */
const mismatch = { performerId: CITY, receivingOrganisationId: CITY, receivingFacilityClientId: CARDIOLOGY_APP };

for (const engine of testEngines()) {
  describe(`referral and consent rules bound to the directory on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    });
    after(() => hub.close());

    const create = (body: Record<string, unknown>, as: 'dr-smith' | 'dr-other' = 'dr-smith') =>
      hub.request('POST', '/api/referrals', { as, body: guideReferral(body) });
    const admin = (method: string, path: string, body?: unknown) => hub.request(method, `/api/admin${path}`, { as: 'admin', body });
    const tokenFor = (claims: Record<string, unknown> & { sub: string }) =>
      mintToken(hub.key, claims, { ...hub.config.jwt, ttlSeconds: 600, now: hub.clock.now() });

    function assertRefused(response: { status: number; body: any }, status: number, code: string, field?: string) {
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(response.body.code, code);
      if (field) assert.equal(response.body.field, field);
    }

    it("refuses a draft whose app belongs to another organisation than the receiving one, even with that app's consent", async () => {
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
      const refused = await create(mismatch);
      assertRefused(refused, 422, 'FACILITY_APP_NOT_OF_RECEIVING_ORGANISATION', 'body.receivingFacilityClientId');
      assert.match(refused.body.message, /belongs to Organization\/royal-london-cardiology, not to City Hospital/);
      const { body: list } = await hub.request('GET', '/api/referrals', { as: 'dr-other' });
      assert.equal(list.items.length, 0, 'nothing reached City Hospital');
    });

    it('refuses to send a draft recorded before the directory with that mismatch: it never becomes ACTIVE', async () => {
      const id = await createDraft(hub);
      await hub.database.db.updateTable('referral').set({ performer_id: CITY, receiving_organisation_id: CITY }).where('id', '=', id).execute();
      const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assertRefused(sent, 422, 'FACILITY_APP_NOT_OF_RECEIVING_ORGANISATION');
      assert.equal((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.status, 'DRAFT');
      assert.equal((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-other' })).status, 404);
    });

    it("omitting the app names the receiving organisation's own app, which the consent gate then evaluates", async () => {
      const { receivingFacilityClientId: _, ...withoutApp } = guideReferral({ performerId: CITY, receivingOrganisationId: CITY });
      const created = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: withoutApp });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.receivingFacilityClientId, 'city-hospital-smart');
      const sent = await hub.request('POST', `/api/referrals/${created.body.id}/send`, { as: 'dr-smith' });
      assertRefused(sent, 422, 'CONSENT_GATE_FAILED');
      assert.deepEqual(
        sent.body.missingResourceTypes,
        ['Observation', 'Condition', 'DiagnosticReport'],
        "the cardiology app's consent does not count for City Hospital",
      );
      assert.match(sent.body.message, /city-hospital-smart/);
    });

    it('asks which app when the receiving organisation has several', async () => {
      const registered = await admin('POST', '/facility-apps', {
        clientId: 'city-hospital-radiology',
        name: 'City Hospital Radiology',
        organization: CITY,
        redirectUris: ['https://radiology.city.example/callback'],
        resourceTypes: ['ImagingStudy'],
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      const { receivingFacilityClientId: _, ...withoutApp } = guideReferral({ performerId: CITY, receivingOrganisationId: CITY });
      const refused = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: withoutApp });
      assertRefused(refused, 422, 'FACILITY_APP_AMBIGUOUS');
      assert.match(refused.body.message, /city-hospital-radiology, city-hospital-smart/);
      assert.equal((await create({ ...mismatch, receivingFacilityClientId: 'city-hospital-radiology' })).status, 201);
    });

    it('refuses an app the directory does not know', async () => {
      assertRefused(await create({ receivingFacilityClientId: 'no-such-client' }), 422, 'FACILITY_APP_NOT_REGISTERED', 'body.receivingFacilityClientId');
    });

    it('refuses organisations outside the directory, and a receiving organisation that is neither the performer nor its parent', async () => {
      assertRefused(
        await create({ performerId: 'Organization/nowhere', receivingOrganisationId: 'Organization/nowhere' }),
        422,
        'ORGANISATION_NOT_IN_DIRECTORY',
        'body.performerId',
      );
      assertRefused(await create({ receivingOrganisationId: CITY }), 422, 'RECEIVING_ORGANISATION_MISMATCH', 'body.receivingOrganisationId');
    });

    it('accepts a department as performer with its parent organisation receiving, and shows it to the parent’s receivers', async () => {
      assert.equal((await admin('POST', '/organizations', { id: 'city-hospital-cardiology', name: 'City Hospital — Cardiology', partOf: CITY })).status, 201);
      const created = await create({
        performerId: 'Organization/city-hospital-cardiology',
        receivingOrganisationId: CITY,
        receivingFacilityClientId: 'city-hospital-smart',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], undefined, 'city-hospital-smart');
      assert.equal((await hub.request('POST', `/api/referrals/${created.body.id}/send`, { as: 'dr-smith' })).status, 200);
      assert.equal((await hub.request('GET', `/api/referrals/${created.body.id}`, { as: 'dr-other' })).status, 200);
    });

    it('refuses to send once the receiving organisation is deactivated, and keeps the draft', async () => {
      await admin('POST', '/organizations', { id: 'closing-clinic', name: 'Closing Clinic' });
      await admin('POST', '/facility-apps', {
        clientId: 'closing-clinic-app',
        name: 'Closing Clinic App',
        organization: 'Organization/closing-clinic',
        redirectUris: ['https://closing.example/cb'],
        resourceTypes: ['Observation'],
      });
      await grantConsent(hub, ['Observation'], undefined, 'closing-clinic-app');
      const id = await createDraft(hub, {
        performerId: 'Organization/closing-clinic',
        receivingOrganisationId: 'Organization/closing-clinic',
        receivingFacilityClientId: 'closing-clinic-app',
        sharedResourceTypes: ['Observation'],
      });
      assert.equal((await admin('PATCH', '/organizations/closing-clinic', { active: false })).body.active, false);
      assertRefused(await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' }), 422, 'ORGANISATION_INACTIVE');
      assert.equal((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.status, 'DRAFT');
    });

    it('refuses to send, and refuses new consent, once the app is deactivated', async () => {
      await admin('POST', '/organizations', { id: 'pilot-clinic', name: 'Pilot Clinic' });
      await admin('POST', '/facility-apps', {
        clientId: 'pilot-clinic-app',
        name: 'Pilot App',
        organization: 'Organization/pilot-clinic',
        redirectUris: ['https://pilot.example/cb'],
        resourceTypes: ['Observation'],
      });
      await grantConsent(hub, ['Observation'], undefined, 'pilot-clinic-app');
      const id = await createDraft(hub, {
        performerId: 'Organization/pilot-clinic',
        receivingOrganisationId: 'Organization/pilot-clinic',
        receivingFacilityClientId: 'pilot-clinic-app',
        sharedResourceTypes: ['Observation'],
      });
      await admin('PATCH', '/facility-apps/pilot-clinic-app', { active: false });
      assertRefused(await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' }), 422, 'FACILITY_APP_INACTIVE');
      const grant = await hub.request('POST', '/api/consent', {
        as: 'patient',
        body: { patientId: 'Patient/ePatient-8675309', clientId: 'pilot-clinic-app', resourceTypes: ['Condition'] },
      });
      assertRefused(grant, 422, 'FACILITY_APP_INACTIVE', 'body.clientId');

      await seedDemoPortal(hub.database.db, hub.clock, 'portal-test-password');
      const browser = formClient(hub.baseUrl);
      const login = await browser.get('/consent/portal');
      await browser.post('/consent/portal/login', { csrf: csrfIn(login.html), username: 'patient', password: 'portal-test-password' });
      const portal = await browser.get('/consent/portal');
      assert.match(portal.html, /data-client-id="pilot-clinic-app"/, 'an app the patient granted stays listed, to be revoked');
      const allow = await browser.post('/consent/portal/grant', { csrf: csrfIn(portal.html), client_id: 'pilot-clinic-app', resource_type: 'Condition' });
      assert.equal(allow.status, 422);
      assert.match(allow.html, /no longer takes new permissions/);
      assert.match(allow.html, /Who read your records/, 'the refusal answers with the whole portal page, reads included');
    });

    it('refuses a draft in another clinician’s name, and takes the caller as requester when none is given', async () => {
      const forged = await create(
        { requesterId: 'Practitioner/dr-smith', sendingOrganisationId: CITY, performerId: 'Organization/royal-london-cardiology' },
        'dr-other',
      );
      assertRefused(forged, 403, 'REQUESTER_NOT_CALLER', 'body.requesterId');
      const { requesterId: _, ...withoutRequester } = guideReferral();
      const created = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: withoutRequester });
      assert.equal(created.body.requesterId, 'Practitioner/dr-smith');
      const edited = await hub.request('PATCH', `/api/referrals/${created.body.id}`, { as: 'dr-smith', body: { requesterId: 'Practitioner/dr-patel' } });
      assertRefused(edited, 403, 'REQUESTER_NOT_CALLER');
    });

    it('refuses a sending organisation where the caller holds no referrer role', async () => {
      const refused = await create({ requesterId: 'Practitioner/dr-other', sendingOrganisationId: 'Organization/anytown-gp-practice' }, 'dr-other');
      assertRefused(refused, 403, 'NOT_A_REFERRER_OF_ORGANISATION', 'body.sendingOrganisationId');
      assert.match(refused.body.message, /you refer for Organization\/city-hospital/);
    });

    it('takes organisations and roles from the directory, not from token claims', async () => {
      const claimed = await tokenFor({ ...demoClaims('dr-smith'), organization: 'Organization/royal-london-cardiology' });
      const inbox = await hub.request('GET', '/api/referrals/inbox?performerId=Organization/royal-london-cardiology', { as: { token: claimed } });
      assert.equal(inbox.status, 403, 'an organization claim gives no receiver role');
      const stranger = await tokenFor({ sub: 'dr-nobody', fhirUser: 'Practitioner/dr-nobody', roles: ['clinician'] });
      assertRefused(await hub.request('GET', '/api/referrals', { as: { token: stranger } }), 403, 'PRACTITIONER_NOT_IN_DIRECTORY');
    });

    it('shuts out a practitioner the moment they are deactivated, and a role the moment it is', async () => {
      await admin('POST', '/practitioners', { id: 'dr-locum', name: 'Dr Lee Locum' });
      const role = await admin('POST', '/practitioners/dr-locum/roles', { organization: 'Organization/anytown-gp-practice', role: 'referrer' });
      const token = await tokenFor({ sub: 'dr-locum', fhirUser: 'Practitioner/dr-locum', roles: ['clinician'] });
      const body = guideReferral({ requesterId: 'Practitioner/dr-locum' });
      assert.equal((await hub.request('POST', '/api/referrals', { as: { token }, body })).status, 201);
      await admin('PATCH', `/practitioner-roles/${role.body.id}`, { active: false });
      assertRefused(await hub.request('POST', '/api/referrals', { as: { token }, body }), 403, 'NOT_A_REFERRER_OF_ORGANISATION');
      await admin('PATCH', '/practitioners/dr-locum', { active: false });
      assertRefused(await hub.request('GET', '/api/referrals', { as: { token } }), 403, 'PRACTITIONER_NOT_IN_DIRECTORY');
    });

    it('refuses consent to an app the directory does not know', async () => {
      const refused = await hub.request('POST', '/api/consent', {
        as: 'patient',
        body: { patientId: 'Patient/ePatient-8675309', clientId: 'no-such-client', resourceTypes: ['Observation'] },
      });
      assertRefused(refused, 422, 'FACILITY_APP_NOT_REGISTERED', 'body.clientId');
      const grants = await hub.request('GET', '/api/consent?patientId=Patient/ePatient-8675309&clientId=no-such-client', { as: 'patient' });
      assert.deepEqual(grants.body.grants, []);
    });

    it('answers a portal link to an unknown app with a page that says so', async () => {
      const page = await formClient(hub.baseUrl).get('/consent/portal?client_id=unknown-app');
      assert.equal(page.status, 404);
      assert.match(page.html, /We could not find that app/);
      assert.doesNotMatch(page.html, /name="password"/);
    });
  });
}
