// A real (non-demo) deployment from an empty database, as the README's "Running for real" tells it:
// bootstrap the first administrator → the admin builds the directory (two organisations,
// practitioners with roles, a facility app, a patient account) → the patient enrols through the
// one-time link and grants consent in the portal → the directory's practitioner drafts and sends →
// the receiving practitioner works the task to completion. Real HTTP, real signed tokens, both engines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runAdminCommand } from '../src/modules/directory/cli.js';
import { mintToken } from '../src/modules/identity/tokens.js';
import { testEngines } from './support/engines.js';
import { csrfIn, formClient } from './support/form-client.js';
import { startReachableHarness, type Harness } from './support/harness.js';

for (const engine of testEngines()) {
  describe(`a real deployment with DEMO=false on ${engine.name}`, () => {
    let hub: Harness;
    let adminToken: string;
    before(async () => {
      hub = await startReachableHarness(engine, { demoDirectory: false });
    });
    after(() => hub.close());

    const as = (token: string) => ({ token });
    const practitionerToken = (id: string) =>
      mintToken(hub.key, { sub: id, fhirUser: `Practitioner/${id}`, roles: ['clinician'] }, { ...hub.config.jwt, ttlSeconds: 600, now: hub.clock.now() });

    it('starts with an empty directory, and bootstrap makes the first administrator', async () => {
      assert.equal((await hub.request('GET', '/api/referrals', { as: 'dr-smith' })).body.code, 'PRACTITIONER_NOT_IN_DIRECTORY');
      const cli = { db: hub.database.db, clock: hub.clock, signingKey: hub.key, jwt: hub.config.jwt, publicBaseUrl: hub.config.publicBaseUrl };
      const printed = await runAdminCommand(cli, ['bootstrap', 'ops']);
      adminToken = printed.split('\n').find((line) => line.split('.').length === 3)!;
      assert.deepEqual((await hub.request('GET', '/api/admin/organizations', { as: as(adminToken) })).body, []);
      await assert.rejects(runAdminCommand(cli, ['bootstrap', 'intruder']), /already has an administrator/);
    });

    it('walks from an empty install to a completed referral', async () => {
      const admin = async (path: string, body: unknown) => {
        const response = await hub.request('POST', `/api/admin${path}`, { as: as(adminToken), body });
        assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`);
        return response.body;
      };
      await admin('/organizations', { id: 'valley-practice', name: 'Valley Medical Practice' });
      await admin('/organizations', { id: 'hill-hospital', name: 'Hill Hospital' });
      await admin('/organizations', { id: 'hill-cardiology', name: 'Hill Hospital — Cardiology', partOf: 'Organization/hill-hospital' });
      await admin('/practitioners', { id: 'dr-ahmed', name: 'Dr Nadia Ahmed' });
      await admin('/practitioners/dr-ahmed/roles', { organization: 'Organization/valley-practice', role: 'referrer' });
      await admin('/practitioners', { id: 'dr-brown', name: 'Dr Owen Brown' });
      await admin('/practitioners/dr-brown/roles', { organization: 'Organization/hill-hospital', role: 'receiver' });
      await admin('/facility-apps', {
        clientId: 'hill-record-viewer',
        name: 'Hill Hospital Record Viewer',
        organization: 'Organization/hill-hospital',
        redirectUris: ['https://viewer.hill.example/callback'],
        resourceTypes: ['Observation', 'Condition'],
      });
      const account = await admin('/patient-accounts', { username: 'sam.patient', patientId: 'Patient/sam-1', name: 'Sam Patel' });

      // The patient opens the enrolment link, sets a password, signs in and allows both types.
      const patient = formClient(hub.baseUrl);
      const linkPath = new URL(account.link.url).pathname + new URL(account.link.url).search;
      const form = await patient.get(linkPath);
      assert.equal(form.status, 200);
      assert.match(form.html, /Welcome to your consent portal/);
      const enrolled = await patient.post('/consent/portal/account', {
        csrf: csrfIn(form.html),
        token: new URL(account.link.url).searchParams.get('token')!,
        password: 'a long secret phrase',
        confirm: 'a long secret phrase',
      });
      assert.equal(enrolled.status, 200, enrolled.html);
      assert.match(enrolled.html, /Your password is saved/);
      assert.equal((await patient.get(linkPath)).status, 410, 'the link works once');
      const login = await patient.get('/consent/portal');
      const signedIn = await patient.post('/consent/portal/login', { csrf: csrfIn(login.html), username: 'sam.patient', password: 'a long secret phrase' });
      assert.equal(signedIn.status, 303);
      const portal = await patient.get('/consent/portal?client_id=hill-record-viewer');
      assert.match(portal.html, /Hill Hospital Record Viewer/);
      assert.match(portal.html, /class="org">Hill Hospital</, 'the organisation is named, not referenced');
      assert.match(portal.html, /Signed in as Sam Patel\./, 'the patient greeted by the name they were invited with');
      for (const type of ['Observation', 'Condition']) {
        const granted = await patient.post('/consent/portal/grant', { csrf: csrfIn(portal.html), client_id: 'hill-record-viewer', resource_type: type });
        assert.equal(granted.status, 303);
      }

      // The referring practitioner drafts (requester and app filled in from the directory) and sends.
      const referrer = await practitionerToken('dr-ahmed');
      const draft = await hub.request('POST', '/api/referrals', {
        as: as(referrer),
        body: {
          patientId: 'Patient/sam-1',
          performerId: 'Organization/hill-cardiology',
          receivingOrganisationId: 'Organization/hill-hospital',
          sendingOrganisationId: 'Organization/valley-practice',
          referralCode: '103696004',
          priority: 'URGENT',
          sharedResourceTypes: ['Observation', 'Condition'],
        },
      });
      assert.equal(draft.status, 201, JSON.stringify(draft.body));
      assert.equal(draft.body.requesterId, 'Practitioner/dr-ahmed');
      assert.equal(draft.body.receivingFacilityClientId, 'hill-record-viewer');
      const sent = await hub.request('POST', `/api/referrals/${draft.body.id}/send`, { as: as(referrer) });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      assert.equal(sent.body.status, 'ACTIVE');

      // The receiving practitioner finds it in the hospital's inbox and works the task to completion.
      const receiver = await practitionerToken('dr-brown');
      const inbox = await hub.request('GET', '/api/referrals/inbox?performerId=Organization/hill-cardiology', { as: as(receiver) });
      assert.equal(inbox.status, 403, 'dr-brown receives for the hospital, not for the department as such');
      const listed = await hub.request('GET', '/api/referrals?side=receiving', { as: as(receiver) });
      assert.deepEqual(
        listed.body.items.map((item: { id: number }) => item.id),
        [draft.body.id],
      );
      const [task] = (await hub.request('GET', `/api/referrals/${draft.body.id}/tasks`, { as: as(receiver) })).body;
      for (const status of ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED']) {
        const moved = await hub.request('PATCH', `/api/referrals/${draft.body.id}/tasks/${task.id}`, {
          as: as(receiver),
          body: { status, ...(status === 'COMPLETED' && { note: 'Seen in clinic.' }) },
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
      assert.equal((await hub.request('GET', `/api/referrals/${draft.body.id}`, { as: as(referrer) })).body.status, 'COMPLETED');
    });
  });
}
