// The embedded FHIR R4 endpoint /fhir on every test database: capability, loading data with a
// transaction bundle, read, vread, history, search and paging, and who may read what.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedDemoClinicalRecord } from '../demo/clinical-record.js';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, createSentReferral, drainMirror, startHarness, type Harness } from '../../../test/support/harness.js';

const PATIENT = 'fhir-test-patient';

function clinicalRecord() {
  const observation = (id: number, code: string, value: number) => ({
    fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${id}`,
    resource: {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: `Patient/${PATIENT}` },
      valueQuantity: { value, unit: 'ng/L' },
      identifier: [{ system: 'urn:lab', value: `obs-${id}` }],
    },
    request: { method: 'POST', url: 'Observation' },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: { resourceType: 'Patient', id: PATIENT, name: [{ family: 'Test' }] }, request: { method: 'PUT', url: `Patient/${PATIENT}` } },
      observation(1, '6598-7', 52),
      observation(2, '6598-7', 48),
      observation(3, '6598-7', 30),
    ],
  };
}

for (const engine of testEngines()) {
  describe(`/fhir on the embedded store on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
      const loaded = await hub.request('POST', '/fhir', { as: 'admin', body: clinicalRecord() });
      assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
      assert.equal(loaded.body.type, 'transaction-response');
    });
    after(() => hub.close());

    it('publishes a CapabilityStatement without a token', async () => {
      const metadata = await hub.request('GET', '/fhir/metadata');
      assert.equal(metadata.status, 200);
      assert.equal(metadata.body.resourceType, 'CapabilityStatement');
      assert.equal(metadata.body.fhirVersion, '4.0.1');
    });

    it('needs a token for everything else, and answers 401 with an OperationOutcome', async () => {
      const anonymous = await hub.request('GET', `/fhir/Patient/${PATIENT}`);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.resourceType, 'OperationOutcome');
    });

    it('searches by patient, _id, identifier, status and _lastUpdated, and pages with _count', async () => {
      const byPatient = await hub.request('GET', `/fhir/Observation?patient=Patient/${PATIENT}`, { as: 'admin' });
      assert.equal(byPatient.body.total, 3);
      const [first] = byPatient.body.entry;
      const byId = await hub.request('GET', `/fhir/Observation?_id=${first.resource.id}`, { as: 'admin' });
      assert.deepEqual(
        byId.body.entry.map((entry: any) => entry.resource.id),
        [first.resource.id],
      );
      const byIdentifier = await hub.request('GET', '/fhir/Observation?identifier=urn:lab|obs-2', { as: 'admin' });
      assert.deepEqual(
        byIdentifier.body.entry.map((entry: any) => entry.resource.valueQuantity.value),
        [48],
      );
      assert.equal((await hub.request('GET', '/fhir/Observation?identifier=obs-3', { as: 'admin' })).body.total, 1);
      assert.equal((await hub.request('GET', `/fhir/Observation?patient=${PATIENT}&status=final`, { as: 'admin' })).body.total, 3);
      assert.equal((await hub.request('GET', `/fhir/Observation?patient=${PATIENT}&status=amended`, { as: 'admin' })).body.total, 0);
      assert.equal((await hub.request('GET', `/fhir/Observation?patient=${PATIENT}&_lastUpdated=ge2020-01-01`, { as: 'admin' })).body.total, 3);
      assert.equal((await hub.request('GET', `/fhir/Observation?patient=${PATIENT}&_lastUpdated=lt2020-01-01`, { as: 'admin' })).body.total, 0);

      const page1 = await hub.request('GET', `/fhir/Observation?patient=${PATIENT}&_count=2`, { as: 'admin' });
      assert.equal(page1.body.entry.length, 2);
      const next = page1.body.link.find((link: any) => link.relation === 'next').url as string;
      const page2 = await hub.request('GET', next.slice(next.indexOf('/fhir/')), { as: 'admin' });
      assert.equal(page2.body.entry.length, 1);
      const seen = [...page1.body.entry, ...page2.body.entry].map((entry: any) => entry.resource.id);
      assert.equal(new Set(seen).size, 3);
    });

    it('refuses a search parameter it does not support, naming it', async () => {
      const refused = await hub.request('GET', '/fhir/Observation?code=6598-7', { as: 'admin' });
      assert.equal(refused.status, 400);
      assert.match(refused.body.issue[0].details?.text ?? refused.body.issue[0].diagnostics, /code/);
    });

    it('keeps every version: vread and _history after an update', async () => {
      const patient = (await hub.request('GET', `/fhir/Patient/${PATIENT}`, { as: 'admin' })).body;
      const updated = await hub.request('PUT', `/fhir/Patient/${PATIENT}`, { as: 'admin', body: { ...patient, name: [{ family: 'Renamed' }] } });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.meta.versionId, String(Number(patient.meta.versionId) + 1));
      const old = await hub.request('GET', `/fhir/Patient/${PATIENT}/_history/${patient.meta.versionId}`, { as: 'admin' });
      assert.equal(old.body.name[0].family, 'Test');
      const history = await hub.request('GET', `/fhir/Patient/${PATIENT}/_history`, { as: 'admin' });
      assert.equal(history.body.type, 'history');
      assert.deepEqual(
        history.body.entry.map((entry: any) => entry.resource.name[0].family),
        ['Renamed', 'Test'],
      );
      const same = await hub.request('PUT', `/fhir/Patient/${PATIENT}`, { as: 'admin', body: updated.body });
      assert.equal(same.body.meta.versionId, updated.body.meta.versionId, 'the same content again is not a new version');
    });

    it('sets versionId and lastUpdated itself, and keeps the rest of the meta it is given', async () => {
      const tagged = {
        resourceType: 'Observation',
        id: 'tagged-obs',
        status: 'final',
        code: { text: 'x' },
        subject: { reference: 'Patient/tag-test' },
        meta: { versionId: '99', tag: [{ system: 'urn:test', code: 'demo' }] },
      };
      const stored = await hub.request('PUT', '/fhir/Observation/tagged-obs', { as: 'admin', body: tagged });
      assert.equal(stored.body.meta.versionId, '1');
      assert.deepEqual(stored.body.meta.tag, [{ system: 'urn:test', code: 'demo' }]);
      assert.ok(Date.parse(stored.body.meta.lastUpdated) > 0);
    });

    it('loads the demo clinical record once, as a transaction bundle', async () => {
      assert.equal(await seedDemoClinicalRecord(hub.database.db, hub.app.fhirBackend), true);
      assert.equal(await seedDemoClinicalRecord(hub.database.db, hub.app.fhirBackend), false);
      const conditions = await hub.request('GET', '/fhir/Condition?patient=ePatient-8675309', { as: 'admin' });
      assert.ok(conditions.body.entry.some((entry: any) => entry.resource.code.coding.some((coding: any) => coding.code === 'I20.9')));
      const observations = await hub.request('GET', '/fhir/Observation?patient=Patient/ePatient-8675309', { as: 'admin' });
      assert.ok(observations.body.total >= 3);
      const report = await hub.request('GET', '/fhir/DiagnosticReport/demo-cardiac-workup', { as: 'admin' });
      assert.equal(report.body.result.length, 3);
    });

    it('lets clinicians read only their own side’s ServiceRequests and Tasks', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const draftId = await createDraft(hub);
      await drainMirror(hub);
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'dr-smith' })).status, 200);
      assert.equal((await hub.request('GET', `/fhir/Task/referral-task-${taskId}`, { as: 'dr-patel' })).status, 200);
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${draftId}`, { as: 'dr-patel' })).status, 404, 'a draft is not the receiver’s yet');
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'dr-other' })).status, 404);
      const othersSearch = await hub.request('GET', `/fhir/ServiceRequest?_id=referral-${id}`, { as: 'dr-other' });
      assert.equal(othersSearch.status, 200);
      assert.deepEqual(othersSearch.body.entry, []);
      const ownSearch = await hub.request('GET', `/fhir/ServiceRequest?_id=referral-${id}`, { as: 'dr-smith' });
      assert.equal(ownSearch.body.entry.length, 1);
      assert.equal((await hub.request('GET', `/fhir/Observation?patient=${PATIENT}`, { as: 'dr-smith' })).status, 403);
      assert.equal((await hub.request('GET', `/fhir/Patient/${PATIENT}`, { as: 'patient' })).status, 403);
      const write = await hub.request('PUT', `/fhir/ServiceRequest/referral-${id}`, {
        as: 'dr-smith',
        body: { resourceType: 'ServiceRequest', id: `referral-${id}`, status: 'revoked', intent: 'order', subject: { reference: 'Patient/x' } },
      });
      assert.equal(write.status, 403);
      assert.equal(write.body.resourceType, 'OperationOutcome');
    });
  });
}
