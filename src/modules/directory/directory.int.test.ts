// The directory over HTTP on both engines: administration on /api/admin (admins only, audited,
// deactivate rather than delete, a confidential app's secret shown once), import from FHIR Bundles,
// and the directory served read-only on /fhir as valid R4, to each caller what concerns them.
import '../../platform/node-globals.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateResource } from '@medplum/core';
import { sql } from 'kysely';
import type { Resource } from '@medplum/fhirtypes';
import { testEngines } from '../../../test/support/engines.js';
import { csrfIn, formClient } from '../../../test/support/form-client.js';
import { guideReferral, startHarness, type Harness } from '../../../test/support/harness.js';
import { waitFor } from '../../../test/support/wait.js';
import { mintToken } from '../identity/tokens.js';
import { addAdministrator } from './administrators.js';
import { DIRECTORY_ROLE_SYSTEM } from './fhir-resources.js';

for (const engine of testEngines()) {
  describe(`the directory on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    });
    after(() => hub.close());

    const admin = (method: string, path: string, body?: unknown) => hub.request(method, `/api/admin${path}`, { as: 'admin', body });
    const directoryAudit = () =>
      hub.database.db.selectFrom('audit_event').select(['action', 'actor', 'entity_id']).where('chain', '=', 'directory').orderBy('seq').execute();

    it('lets only administrators administer it', async () => {
      for (const identity of ['dr-smith', 'patient'] as const) {
        assert.equal((await hub.request('GET', '/api/admin/organizations', { as: identity })).status, 403);
        assert.equal((await hub.request('POST', '/api/admin/organizations', { as: identity, body: { id: 'x', name: 'X' } })).status, 403);
      }
      assert.equal((await hub.request('GET', '/api/admin/organizations')).status, 401);
    });

    it('creates, reads, updates and deactivates an organisation, auditing each change', async () => {
      const created = await admin('POST', '/organizations', {
        id: 'north-clinic',
        name: 'North Clinic',
        identifiers: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'N81001' }],
      });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body, {
        id: 'north-clinic',
        reference: 'Organization/north-clinic',
        name: 'North Clinic',
        active: true,
        partOf: null,
        identifiers: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'N81001' }],
      });
      assert.equal((await admin('POST', '/organizations', { id: 'north-clinic', name: 'Again' })).body.code, 'ALREADY_IN_DIRECTORY');
      assert.equal((await admin('PATCH', '/organizations/north-clinic', { name: 'North Health Centre' })).body.name, 'North Health Centre');
      const deactivated = await admin('PATCH', '/organizations/north-clinic', { active: false });
      assert.equal(deactivated.body.active, false);
      assert.equal((await admin('GET', '/organizations/north-clinic')).body.name, 'North Health Centre', 'deactivated, still there');
      const actions = (await directoryAudit()).filter((event) => event.entity_id === 'north-clinic').map((event) => [event.action, event.actor]);
      assert.deepEqual(actions, [
        ['directory.organization.create', 'admin'],
        ['directory.organization.update', 'admin'],
        ['directory.organization.update', 'admin'],
      ]);
    });

    it('refuses a parent outside the directory and a parent that would make a cycle', async () => {
      assert.equal(
        (await admin('POST', '/organizations', { id: 'ward-1', name: 'Ward 1', partOf: 'Organization/nowhere' })).body.code,
        'ORGANISATION_NOT_IN_DIRECTORY',
      );
      await admin('POST', '/organizations', { id: 'trust', name: 'Trust' });
      await admin('POST', '/organizations', { id: 'site', name: 'Site', partOf: 'Organization/trust' });
      const cycle = await admin('PATCH', '/organizations/trust', { partOf: 'Organization/site' });
      assert.equal(cycle.status, 422);
      assert.equal(cycle.body.code, 'ORGANISATION_CYCLE');
    });

    it('gives a practitioner roles at organisations and deactivates a role without deleting it', async () => {
      assert.equal((await admin('POST', '/practitioners', { id: 'dr-jones', name: 'Dr Ann Jones' })).status, 201);
      const role = await admin('POST', '/practitioners/dr-jones/roles', { organization: 'Organization/anytown-gp-practice', role: 'referrer' });
      assert.equal(role.status, 201);
      assert.deepEqual(role.body, {
        id: 'dr-jones.referrer.anytown-gp-practice',
        practitioner: 'Practitioner/dr-jones',
        organization: 'Organization/anytown-gp-practice',
        role: 'referrer',
        active: true,
      });
      assert.equal(
        (await admin('POST', '/practitioners/dr-jones/roles', { organization: 'Organization/nowhere', role: 'receiver' })).body.code,
        'ORGANISATION_NOT_IN_DIRECTORY',
      );
      await admin('PATCH', `/practitioner-roles/${role.body.id}`, { active: false });
      const practitioner = await admin('GET', '/practitioners/dr-jones');
      assert.deepEqual(
        practitioner.body.roles.map((r: { active: boolean }) => r.active),
        [false],
      );
    });

    it("shows a confidential app's secret once, never on reading, and rotates it", async () => {
      const registered = await admin('POST', '/facility-apps', {
        clientId: 'north-portal',
        name: 'North Portal',
        organization: 'Organization/anytown-gp-practice',
        redirectUris: ['https://north.example/cb'],
        resourceTypes: ['Observation'],
        confidential: true,
      });
      assert.equal(registered.status, 201);
      assert.match(registered.body.clientSecret, /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await admin('GET', '/facility-apps/north-portal')).body.clientSecret, undefined);
      assert.ok(!(await admin('GET', '/facility-apps')).body.some((app: { clientSecret?: string }) => app.clientSecret));
      const rotated = await admin('POST', '/facility-apps/north-portal/secret');
      assert.notEqual(rotated.body.clientSecret, registered.body.clientSecret);
      const stored = await hub.database.db.selectFrom('smart_client').select('client_secret').where('client_id', '=', 'north-portal').executeTakeFirstOrThrow();
      assert.equal(stored.client_secret, rotated.body.clientSecret, 'the old secret no longer matches');
      assert.equal((await admin('POST', '/facility-apps/royal-london-cardiology-smart/secret')).body.code, 'PUBLIC_APP_HAS_NO_SECRET');
      assert.equal(
        (
          await admin('POST', '/facility-apps', {
            clientId: 'stray',
            name: 'Stray',
            organization: 'Organization/nowhere',
            redirectUris: ['https://s.example/cb'],
            resourceTypes: [],
          })
        ).body.code,
        'ORGANISATION_NOT_IN_DIRECTORY',
      );
    });

    it('imports a transaction Bundle all or nothing, and a batch entry by entry', async () => {
      const entries = (resources: Resource[]) =>
        resources.map((resource) => ({ resource, request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` } }));
      const broken = await admin('POST', '/directory/import', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: entries([
          { resourceType: 'Organization', id: 'east-hospital', name: 'East Hospital' },
          { resourceType: 'Organization', id: 'east-ward', name: 'East Ward', partOf: { reference: 'Organization/absent' } },
        ]),
      });
      assert.equal(broken.status, 422);
      assert.match(broken.body.message, /^entry\[1\]/);
      assert.equal((await admin('GET', '/organizations/east-hospital')).status, 404, 'nothing of the failed transaction stays');

      const loaded = await admin('POST', '/directory/import', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: entries([
          {
            resourceType: 'PractitionerRole',
            id: 'east-dr-lee-receiver',
            practitioner: { reference: 'Practitioner/dr-lee' },
            organization: { reference: 'Organization/east-ward' },
            code: [{ coding: [{ system: DIRECTORY_ROLE_SYSTEM, code: 'receiver' }] }],
          },
          { resourceType: 'Organization', id: 'east-ward', name: 'East Ward', partOf: { reference: 'Organization/east-hospital' } },
          { resourceType: 'Practitioner', id: 'dr-lee', name: [{ prefix: ['Dr'], given: ['Kim'], family: 'Lee' }] },
          { resourceType: 'Organization', id: 'east-hospital', name: 'East Hospital' },
          {
            resourceType: 'Endpoint',
            id: 'east-ward-app',
            status: 'active',
            name: 'East Ward App',
            managingOrganization: { reference: 'Organization/east-ward' },
            address: 'https://east.example/cb',
            connectionType: { code: 'hl7-fhir-rest' },
            payloadType: [{ text: 'any' }],
          },
        ] as Resource[]),
      });
      assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
      assert.equal(loaded.body.type, 'transaction-response');
      assert.equal((await admin('GET', '/organizations/east-ward')).body.partOf, 'Organization/east-hospital');
      assert.deepEqual((await admin('GET', '/practitioners/dr-lee')).body.roles[0].id, 'east-dr-lee-receiver');
      assert.equal((await admin('GET', '/facility-apps/east-ward-app')).body.organization, 'Organization/east-ward');

      const batch = await admin('POST', '/directory/import', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: entries([
          { resourceType: 'Organization', id: 'east-hospital', name: 'East Hospital NHS Trust' },
          { resourceType: 'Patient', id: 'p1' } as Resource,
        ]),
      });
      assert.deepEqual(
        batch.body.entry.map((entry: { response: { status: string } }) => entry.response.status),
        ['200 OK', '400'],
      );
      assert.equal((await admin('GET', '/organizations/east-hospital')).body.name, 'East Hospital NHS Trust');
    });

    it('serves the directory on /fhir as valid R4 with search by name, identifier, organization and active', async () => {
      const org = await hub.request('GET', '/fhir/Organization/royal-london-cardiology', { as: 'dr-smith' });
      assert.equal(org.status, 200);
      assert.equal(org.body.name, 'Royal London Hospital — Cardiology');
      const byName = await hub.request('GET', '/fhir/Organization?name=royal', { as: 'dr-smith' });
      assert.deepEqual(
        byName.body.entry.map((e: { resource: { id: string } }) => e.resource.id),
        ['royal-london-cardiology'],
      );
      await admin('POST', '/organizations', {
        id: 'ods-clinic',
        name: 'ODS Clinic',
        identifiers: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'Y12345' }],
      });
      const byIdentifier = await hub.request('GET', '/fhir/Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|Y12345', { as: 'dr-smith' });
      assert.deepEqual(
        byIdentifier.body.entry.map((e: { resource: { id: string } }) => e.resource.id),
        ['ods-clinic'],
      );
      const roles = await hub.request('GET', '/fhir/PractitionerRole?organization=Organization/royal-london-cardiology&active=true', { as: 'dr-smith' });
      assert.deepEqual(roles.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort(), [
        'dr-patel.receiver.royal-london-cardiology',
        'dr-patel.referrer.royal-london-cardiology',
      ]);
      const endpoints = await hub.request('GET', '/fhir/Endpoint?organization=Organization/city-hospital', { as: 'dr-smith' });
      assert.ok(endpoints.body.entry.some((e: { resource: { id: string } }) => e.resource.id === 'city-hospital-smart'));
      const practitioner = await hub.request('GET', '/fhir/Practitioner/dr-smith', { as: 'admin' });
      for (const resource of [org.body, practitioner.body, roles.body.entry[0].resource, endpoints.body.entry[0].resource, byName.body])
        assert.deepEqual(validateResource(resource), []);
      assert.equal((await hub.request('GET', '/fhir/Organization?colour=blue', { as: 'dr-smith' })).status, 400);
      assert.equal((await hub.request('GET', '/fhir/Organization?_count=abc', { as: 'dr-smith' })).status, 400);
      assert.equal(
        (
          await hub.request('PUT', '/fhir/Organization/city-hospital', {
            as: 'admin',
            body: { resourceType: 'Organization', id: 'city-hospital', name: 'Renamed' },
          })
        ).status,
        405,
      );
    });

    it('shows patients the facilities but not the practitioners', async () => {
      assert.equal((await hub.request('GET', '/fhir/Endpoint/royal-london-cardiology-smart', { as: 'patient' })).status, 200);
      assert.equal((await hub.request('GET', '/fhir/Practitioner/dr-smith', { as: 'patient' })).status, 403);
      assert.equal((await hub.request('GET', '/fhir/PractitionerRole', { as: 'patient' })).status, 403);
    });

    it('shows clinicians whom they may refer to, each organisation with its app, and the practitioners by name; not patients', async () => {
      await admin('POST', '/organizations', { id: 'closed-clinic', name: 'Closed Clinic', active: false });
      const read = await hub.request('GET', '/api/directory', { as: 'dr-smith' });
      assert.equal(read.status, 200);
      const cardiology = read.body.organizations.find(
        (organization: { reference: string }) => organization.reference === 'Organization/royal-london-cardiology',
      );
      assert.equal(cardiology.name, 'Royal London Hospital — Cardiology');
      assert.deepEqual(
        cardiology.apps.map((app: { clientId: string; name: string }) => [app.clientId, app.name]),
        [['royal-london-cardiology-smart', 'Royal London Cardiology']],
      );
      assert.ok(!read.body.organizations.some((organization: { name: string }) => organization.name === 'Closed Clinic'), 'only active organisations');
      const patel = read.body.practitioners.find((practitioner: { reference: string }) => practitioner.reference === 'Practitioner/dr-patel');
      assert.equal(patel.name, 'Dr Raj Patel');
      assert.deepEqual(read.body.memberships, [{ organization: 'Organization/anytown-gp-practice', role: 'referrer' }]);
      assert.equal((await hub.request('GET', '/api/directory', { as: 'patient' })).status, 403);
    });

    it('invites a patient with a one-time link, and never shows a password', async () => {
      const invited = await admin('POST', '/patient-accounts', { username: 'jo.example', patientId: 'Patient/p-jo', name: 'Jo Example' });
      assert.equal(invited.status, 201);
      assert.equal(invited.body.state, 'invited');
      assert.match(invited.body.link.url, /\/consent\/portal\/account\?token=[A-Za-z0-9_-]{43}$/);
      assert.equal(invited.body.link.purpose, 'enrol');
      const listed = (await admin('GET', '/patient-accounts')).body.find((account: { username: string }) => account.username === 'jo.example');
      assert.deepEqual(listed, { username: 'jo.example', patientId: 'Patient/p-jo', name: 'Jo Example', state: 'invited' });
      assert.equal((await admin('POST', '/patient-accounts', { username: 'jo.example', patientId: 'Patient/p-other' })).body.code, 'ALREADY_IN_DIRECTORY');
      assert.equal((await admin('PATCH', '/patient-accounts/jo.example', { state: 'disabled' })).body.state, 'disabled');
      assert.equal((await admin('POST', '/patient-accounts/jo.example/link')).body.code, 'ACCOUNT_DISABLED');
      assert.equal(
        (await formClient(hub.baseUrl).get(new URL(invited.body.link.url).pathname + new URL(invited.body.link.url).search)).status,
        410,
        "a disabled account's link opens nothing",
      );
    });

    it('resets a forgotten password through a new one-time link: the old password stops working', async () => {
      const patient = formClient(hub.baseUrl);
      const setPassword = async (url: string, password: string) => {
        const link = new URL(url);
        const form = await patient.get(link.pathname + link.search);
        return patient.post('/consent/portal/account', { csrf: csrfIn(form.html), token: link.searchParams.get('token')!, password, confirm: password });
      };
      const signIn = async (password: string) => {
        const browser = formClient(hub.baseUrl);
        const login = await browser.get('/consent/portal');
        return (await browser.post('/consent/portal/login', { csrf: csrfIn(login.html), username: 'kim.example', password })).status;
      };
      const invited = await admin('POST', '/patient-accounts', { username: 'kim.example', patientId: 'Patient/p-kim' });
      assert.equal(await signIn('anything at all'), 401, 'an invited account cannot sign in');
      assert.equal((await setPassword(invited.body.link.url, 'first password here')).status, 200);
      const reset = await admin('POST', '/patient-accounts/kim.example/link');
      assert.equal(reset.body.link.purpose, 'reset');
      assert.equal((await setPassword(reset.body.link.url, 'second password here')).status, 200);
      assert.equal(await signIn('first password here'), 401);
      assert.equal(await signIn('second password here'), 303);
    });

    it("ends a patient's portal sessions when the password is reset or the account disabled, and a re-enabled account's old sessions stay over", async () => {
      const invited = await admin('POST', '/patient-accounts', { username: 'lee.example', patientId: 'Patient/p-lee' });
      const setPassword = async (url: string, password: string) => {
        const link = new URL(url);
        const patient = formClient(hub.baseUrl);
        const form = await patient.get(link.pathname + link.search);
        assert.equal(
          (await patient.post('/consent/portal/account', { csrf: csrfIn(form.html), token: link.searchParams.get('token')!, password, confirm: password }))
            .status,
          200,
        );
      };
      const signedIn = async (password: string) => {
        const browser = formClient(hub.baseUrl);
        const login = await browser.get('/consent/portal');
        assert.equal((await browser.post('/consent/portal/login', { csrf: csrfIn(login.html), username: 'lee.example', password })).status, 303);
        hub.clock.advance(1_000);
        return browser;
      };
      const inPortal = async (browser: ReturnType<typeof formClient>) => /Who may read your records/.test((await browser.get('/consent/portal')).html);
      await setPassword(invited.body.link.url, 'first password here');

      const beforeReset = await signedIn('first password here');
      assert.ok(await inPortal(beforeReset));
      await setPassword((await admin('POST', '/patient-accounts/lee.example/link')).body.link.url, 'second password here');
      assert.equal(await inPortal(beforeReset), false, 'a new password ends the sessions signed in with the old one');

      const beforeDisabling = await signedIn('second password here');
      assert.ok(await inPortal(beforeDisabling));
      assert.equal((await admin('PATCH', '/patient-accounts/lee.example', { state: 'disabled' })).status, 200);
      assert.equal(await inPortal(beforeDisabling), false);
      assert.equal((await admin('PATCH', '/patient-accounts/lee.example', { state: 'active' })).status, 200);
      assert.equal(await inPortal(beforeDisabling), false, 'enabling the account again does not bring old sessions back');
      assert.ok(await inPortal(await signedIn('second password here')));
    });
  });
}

for (const engine of testEngines()) {
  describe(`directory changes reach every process on ${engine.name}`, () => {
    let first: Harness;
    let second: Harness;
    before(async () => {
      first = await startHarness(engine);
      second = await startHarness(engine, { database: first.database, demoDirectory: false });
    });
    after(async () => {
      await second.close();
      await first.close();
    });

    it('refuses, in the other process, to send to an organisation an administrator deactivated there, though its parties were checked at the draft', async () => {
      const created = await second.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral() });
      assert.equal(created.status, 201);
      const receiver = String(created.body.receivingOrganisationId).replace('Organization/', '');
      const active = async (value: boolean) =>
        assert.equal((await first.request('PATCH', `/api/admin/organizations/${receiver}`, { as: 'admin', body: { active: value } })).status, 200);
      await active(false);
      try {
        const send = () => second.request('POST', `/api/referrals/${created.body.id}/send`, { as: 'dr-smith' });
        const deadline = Date.now() + 5_000;
        let answer = await send();
        while (answer.body.code !== 'ORGANISATION_INACTIVE' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          answer = await send();
        }
        assert.equal(answer.status, 422);
        assert.equal(answer.body.code, 'ORGANISATION_INACTIVE', 'the other process hears of the change (NOTIFY directory_changed)');
      } finally {
        await active(true);
      }
    });

    it('honours a new administrator in the other process soon after they are added, though it refused (and kept) that before', async () => {
      const claims = { sub: 'new-admin', roles: ['admin'] };
      const token = await mintToken(second.key, claims, { ...second.config.jwt, ttlSeconds: 600, now: second.clock.now() });
      const organisations = () => second.request('GET', '/api/admin/organizations', { as: { token } });
      const refused = await organisations();
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'ADMINISTRATOR_NOT_IN_DIRECTORY');
      // As `npm run admin -- bootstrap` adds one: in its own process, announcing the change.
      await first.database.db.transaction().execute((tx) => addAdministrator(tx, first.clock, 'new-admin', 'New Admin'));
      await waitFor(async () => (await organisations()).status === 200, 'the new administrator honoured (NOTIFY directory_changed)', 5_000);
    });

    it("refuses a clinician in the other process soon after an administrator removes the clinician's role, though it was resolved (and kept) before", async () => {
      const draft = (hub: Harness) => hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral() });
      assert.equal((await draft(second)).status, 201);
      // It does keep them: a change written around the directory's service (plain SQL, no NOTIFY) goes unseen.
      const around = await sql`UPDATE practitioner_role SET active = false WHERE practitioner_id = 'dr-smith'`.execute(first.database.db);
      assert.ok(Number(around.numAffectedRows) > 0);
      assert.equal((await draft(second)).status, 201);
      await sql`UPDATE practitioner_role SET active = true WHERE practitioner_id = 'dr-smith'`.execute(first.database.db);
      const roles = (await first.request('GET', '/api/admin/practitioners/dr-smith', { as: 'admin' })).body.roles as { id: string; role: string }[];
      for (const role of roles.filter((r) => r.role === 'referrer')) {
        assert.equal((await first.request('PATCH', `/api/admin/practitioner-roles/${role.id}`, { as: 'admin', body: { active: false } })).status, 200);
      }
      assert.equal((await draft(first)).status, 403, 'at once in the process that made the change');
      const deadline = Date.now() + 5_000;
      let status = (await draft(second)).status;
      while (status !== 403 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = (await draft(second)).status;
      }
      assert.equal(status, 403, 'the other process hears of the change (NOTIFY directory_changed)');
    });
  });
}
