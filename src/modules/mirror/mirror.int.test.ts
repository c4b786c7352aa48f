// The FHIR mirror into the embedded store, on every test database: what lands on /fhir after the
// guide's workflow, the outbox committing with its change, leases between workers, and retries.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, createSentReferral, drainMirror, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';
import { accessLogChain } from '../audit/access-log.js';
import { auditGroupCommit } from '../audit/group-commit.js';
import { claimDue, foldChanges, markDelivered, outboxStatus } from './outbox.js';
import { createMirrorWorker } from './worker.js';

const outboxRow = (hub: Harness, type: string, id: string) =>
  hub.database.db.selectFrom('fhir_outbox').selectAll().where('resource_type', '=', type).where('resource_id', '=', id).executeTakeFirst();

const loggedChanges = async (hub: Harness, type: string, id: string) =>
  (
    await hub.database.db
      .selectFrom('fhir_outbox_change')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('resource_type', '=', type)
      .where('resource_id', '=', id)
      .executeTakeFirstOrThrow()
  ).n;

for (const engine of testEngines()) {
  describe(`FHIR mirror into the embedded store on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    });
    after(() => hub.close());

    it('ends the guide workflow with the ServiceRequest and Task completed on /fhir, notes and audit included', async () => {
      const { id, taskId } = await createSentReferral(hub);
      for (const [status, note] of [
        ['RECEIVED', 'Referral received'],
        ['ACCEPTED', 'Appointment booked'],
        ['INPROGRESS', 'Seen in clinic'],
        ['COMPLETED', 'Discharged to GP'],
      ]) {
        const moved = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status, note } });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
      await drainMirror(hub);
      const serviceRequest = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' });
      assert.equal(serviceRequest.status, 200);
      assert.equal(serviceRequest.body.status, 'completed');
      assert.equal(serviceRequest.body.priority, 'routine');
      assert.deepEqual(serviceRequest.body.identifier, [{ system: `${hub.config.publicBaseUrl}/referrals`, value: String(id) }]);
      assert.equal(serviceRequest.body.code.coding[0].code, '103696004');
      assert.equal(serviceRequest.body.reasonCode[0].coding[0].code, 'I20.9');
      const task = await hub.request('GET', `/fhir/Task/referral-task-${taskId}`, { as: 'admin' });
      assert.equal(task.body.status, 'completed');
      assert.equal(task.body.focus.reference, `ServiceRequest/referral-${id}`);
      assert.equal(task.body.owner.reference, 'Organization/royal-london-cardiology');
      assert.deepEqual(
        task.body.note.map((note: any) => [note.authorReference.reference, note.text]),
        [
          ['Practitioner/dr-patel', 'Referral received'],
          ['Practitioner/dr-patel', 'Appointment booked'],
          ['Practitioner/dr-patel', 'Seen in clinic'],
          ['Practitioner/dr-patel', 'Discharged to GP'],
        ],
      );
      const history = await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' });
      for (const event of history.body) {
        const audit = await hub.request('GET', `/fhir/AuditEvent/audit-${event.seq}`, { as: 'admin' });
        assert.equal(audit.status, 200, `AuditEvent for ${event.action}`);
      }
      const sent = history.body.find((event: any) => event.action === 'referral.send' && event.outcome === 'success');
      const sentAudit = await hub.request('GET', `/fhir/AuditEvent/audit-${sent.seq}`, { as: 'admin' });
      assert.match(sentAudit.body.entity[0].detail[0].valueString, /Condition/);
    });

    it('mirrors each read in the access log as an AuditEvent of its own, the refused ones as failures', async () => {
      const accessLog = auditGroupCommit(hub.database.db, hub.clock);
      const read = (resourceType: string, decision: 'permit' | 'deny') =>
        accessLog.append({
          at: hub.clock.now().toISOString(),
          clientId: 'mirror-app',
          patient: 'Patient/mirrored',
          resourceType,
          interaction: 'search',
          decision,
        });
      // The first read is written alone, the other two together while it is in flight: two batches.
      await Promise.all([read('Observation', 'permit'), read('Condition', 'deny'), read('Observation', 'permit')]);
      await drainMirror(hub);
      const batches = await hub.database.db.selectFrom('access_log').select(['id', 'reads']).where('chain', '=', accessLogChain('Patient/mirrored')).execute();
      const ids = batches.flatMap((batch) => batch.reads.map((_, n) => `access-${batch.id}-${n + 1}`));
      assert.equal(ids.length, 3);
      const mirrored = await Promise.all(ids.map(async (id) => (await hub.request('GET', `/fhir/AuditEvent/${id}`, { as: 'admin' })).body));
      assert.deepEqual(
        mirrored.map((event) => [
          event.outcome,
          event.agent[0].who.identifier.value,
          event.entity[0].what.identifier.value,
          JSON.parse(event.entity[0].detail[0].valueString).resourceType,
        ]),
        [
          ['0', 'smart:mirror-app', 'Patient/mirrored', 'Observation'],
          ['4', 'smart:mirror-app', 'Patient/mirrored', 'Condition'],
          ['0', 'smart:mirror-app', 'Patient/mirrored', 'Observation'],
        ],
      );
      assert.equal(mirrored[0].subtype[0].code, 'fhir.search');
    });

    it("shows the receiving side no draft version of a referral, and no paging links or totals counting others' records", async () => {
      const id = await createDraft(hub, { clinicalNote: 'Draft wording the GP later removed' });
      await drainMirror(hub);
      await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { clinicalNote: 'Chest pain.' } });
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
      assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
      await drainMirror(hub);
      const history = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}/_history`, { as: 'dr-patel' });
      assert.equal(history.status, 200);
      assert.ok(history.body.entry.length > 0);
      assert.ok(history.body.entry.every((entry: { resource: { status: string } }) => entry.resource.status !== 'draft'));
      assert.doesNotMatch(JSON.stringify(history.body), /Draft wording/);
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${id}/_history/1`, { as: 'dr-patel' })).status, 404);
      assert.equal(
        (await hub.request('GET', `/fhir/ServiceRequest/referral-${id}/_history/1`, { as: 'dr-smith' })).status,
        200,
        'the referring side keeps its drafts',
      );
      const elsewhere = await hub.request('GET', '/fhir/ServiceRequest?patient=Patient/ePatient-8675309&_count=0', { as: 'dr-other' });
      assert.equal(elsewhere.status, 200);
      assert.equal(elsewhere.body.total, undefined);
      assert.deepEqual(
        elsewhere.body.link.map((link: { relation: string }) => link.relation),
        ['self'],
        'no next link betrays referrals elsewhere',
      );
    });

    it("logs each change for the outbox in the change's own transaction, and a rolled-back change logs none", async () => {
      const id = await createDraft(hub);
      assert.equal(await loggedChanges(hub, 'ServiceRequest', `referral-${id}`), 1, 'a new draft logs its change');
      const conflicting = await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { priority: 'STAT' }, headers: { 'if-match': '"99"' } });
      assert.equal(conflicting.status, 412);
      assert.equal(await loggedChanges(hub, 'ServiceRequest', `referral-${id}`), 1, 'the refused edit logs nothing');
      const edited = await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { priority: 'STAT' } });
      assert.equal(edited.status, 200);
      assert.equal(await loggedChanges(hub, 'ServiceRequest', `referral-${id}`), 2);
      assert.equal((await outboxStatus(hub.database.db)).pending > 0, true, '/health counts logged changes as pending before they are folded');
      await drainMirror(hub);
      assert.equal(await loggedChanges(hub, 'ServiceRequest', `referral-${id}`), 0, 'the worker folded the log');
      const row = await outboxRow(hub, 'ServiceRequest', `referral-${id}`);
      assert.equal(row!.delivered_seq, row!.change_seq);
      const mirrored = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' });
      assert.equal(mirrored.body.status, 'draft');
      assert.equal(mirrored.body.priority, 'stat');
    });

    it('delivers again a change that commits while its resource is being delivered', async () => {
      const id = await createDraft(hub);
      await foldChanges(hub.database.db, 1000);
      const [claim] = (await claimDue(hub.database.db, 1000, 60_000)).filter((c) => c.resourceId === `referral-${id}`);
      assert.ok(claim, 'the draft was claimed');
      assert.equal((await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { priority: 'URGENT' } })).status, 200);
      await foldChanges(hub.database.db, 1000);
      await markDelivered(hub.database.db, [claim]);
      const row = await outboxRow(hub, 'ServiceRequest', `referral-${id}`);
      assert.ok(row!.change_seq > row!.delivered_seq, 'the edit made during the delivery is still pending');
      await sql`update fhir_outbox set leased_until = null`.execute(hub.database.db);
      await drainMirror(hub);
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' })).body.priority, 'urgent');
    });

    it(
      'delivers a change that commits after a later one was already folded and delivered',
      { skip: engine.name === 'pglite' && 'PGlite has one connection: no second transaction can stay open' },
      async () => {
        const id = await createDraft(hub);
        await drainMirror(hub);
        await hub.database.db.transaction().execute(async (slow) => {
          // The slow transaction's change takes its place in the log first but commits last.
          await slow
            .insertInto('fhir_outbox_change')
            .values({ resource_type: 'ServiceRequest', resource_id: `referral-${id}` })
            .execute();
          assert.equal((await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { priority: 'ASAP' } })).status, 200);
          await drainMirror(hub);
        });
        await foldChanges(hub.database.db, 1000);
        const row = await outboxRow(hub, 'ServiceRequest', `referral-${id}`);
        assert.ok(row!.change_seq > row!.delivered_seq, 'the late commit is pending again');
      },
    );

    it('redelivering an unchanged resource adds no version; a change adds one with its history', async () => {
      const id = await createDraft(hub);
      await drainMirror(hub);
      const first = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' });
      await hub.database.db.updateTable('fhir_outbox').set({ delivered_seq: 0 }).where('resource_id', '=', `referral-${id}`).execute();
      await drainMirror(hub);
      const again = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' });
      assert.equal(again.body.meta.versionId, first.body.meta.versionId);
      assert.equal((await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { clinicalNote: 'Now breathless too.' } })).status, 200);
      await drainMirror(hub);
      const changed = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' });
      assert.equal(changed.body.meta.versionId, String(Number(first.body.meta.versionId) + 1));
      assert.equal(changed.body.note[0].text, 'Now breathless too.');
      const history = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}/_history`, { as: 'admin' });
      assert.deepEqual(
        history.body.entry.map((entry: any) => entry.resource.meta.versionId),
        [changed.body.meta.versionId, first.body.meta.versionId],
      );
      const old = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}/_history/${first.body.meta.versionId}`, { as: 'admin' });
      assert.equal(old.body.note[0].text, 'Chest pain and elevated troponin. ECG shows ST changes.');
    });

    it('never hands one resource to two workers at once, and each change is delivered', async () => {
      const ids = await Promise.all(Array.from({ length: 12 }, () => createDraft(hub)));
      const delivered: string[] = [];
      const target = {
        putAll: async (resources: Resource[]) => (delivered.push(...resources.map((resource) => `${resource.resourceType}/${resource.id}`)), []),
      };
      const sources = { ServiceRequest: async (ids: string[]) => new Map(ids.map((id) => [id, { resourceType: 'ServiceRequest', id } as Resource])) };
      const [first, second] = [0, 1].map(() => createMirrorWorker({ db: hub.database.db, sources, target, batchSize: 5 }));
      await drainOnly(hub, 'ServiceRequest', () => Promise.all([first!.deliverDue(), second!.deliverDue()]));
      for (const id of ids) assert.equal(delivered.filter((name) => name === `ServiceRequest/referral-${id}`).length, 1, `referral-${id} delivered once`);
      assert.equal(new Set(delivered).size, delivered.length);
    });

    it('keeps a failing row with its error, shows it in /health and /api/admin/outbox, and delivers it once the server recovers', async () => {
      const id = await createDraft(hub);
      let up = false;
      const target = {
        putAll: async (resources: (Resource & { id: string })[]) =>
          up
            ? []
            : resources.map((resource) => ({ resource, error: `PUT ServiceRequest/${resource.id} answered 422: subject Patient/ePatient-8675309 is unknown` })),
      };
      const sources = { ServiceRequest: async (ids: string[]) => new Map(ids.map((id) => [id, { resourceType: 'ServiceRequest', id } as Resource])) };
      const worker = createMirrorWorker({ db: hub.database.db, sources, target, retryBaseMs: 50, retryMaxMs: 100 });
      await drainOnly(hub, 'ServiceRequest', () => worker.deliverDue(), { rounds: 3 });
      const failing = await outboxRow(hub, 'ServiceRequest', `referral-${id}`);
      assert.ok(failing!.change_seq > failing!.delivered_seq, 'still pending');
      assert.match(failing!.last_error!, /answered 422: subject Patient/);
      const health = await hub.request('GET', '/health');
      assert.ok(health.body.fhirMirror.pending >= 1);
      assert.match(health.body.fhirMirror.lastError.error, /answered 422$/);
      assert.doesNotMatch(JSON.stringify(health.body), /ePatient/, 'the public health check quotes no patient data');
      const stuck = await hub.request('GET', '/api/admin/outbox', { as: 'admin' });
      assert.ok(
        stuck.body.stuck.some((row: any) => row.resource === `ServiceRequest/referral-${id}` && row.attempts >= 1 && /subject Patient/.test(row.lastError)),
      );
      assert.equal((await hub.request('GET', '/api/admin/outbox', { as: 'dr-smith' })).status, 403);
      up = true;
      await drainOnly(hub, 'ServiceRequest', () => worker.deliverDue());
      const recovered = await outboxRow(hub, 'ServiceRequest', `referral-${id}`);
      assert.equal(recovered!.delivered_seq, recovered!.change_seq);
      assert.equal(recovered!.last_error, null);
    });

    it('claims with SKIP LOCKED: a row leased by one worker is not claimed by another', async () => {
      await createDraft(hub);
      await foldChanges(hub.database.db, 1000);
      const firstClaims = await claimDue(hub.database.db, 1000, 60_000);
      assert.ok(firstClaims.length > 0);
      const secondClaims = await claimDue(hub.database.db, 1000, 60_000);
      const firstKeys = new Set(firstClaims.map((claim) => `${claim.resourceType}/${claim.resourceId}`));
      assert.ok(secondClaims.every((claim) => !firstKeys.has(`${claim.resourceType}/${claim.resourceId}`)));
      await sql`update fhir_outbox set leased_until = null`.execute(hub.database.db);
    });
  });
}

/** Runs rounds of `round` until no due row of `type` is left (or `rounds` have run); others are untouched. */
async function drainOnly(hub: Harness, type: string, round: () => Promise<unknown>, options: { rounds?: number } = {}) {
  await foldChanges(hub.database.db, 10_000);
  const others = await hub.database.db
    .updateTable('fhir_outbox')
    .set({ next_attempt_at: new Date('2999-01-01') })
    .where('resource_type', '!=', type)
    .whereRef('change_seq', '>', 'delivered_seq')
    .returning(['resource_type', 'resource_id'])
    .execute();
  try {
    for (let i = 0; i < (options.rounds ?? 100); i++) {
      await round();
      const left = await sql<{ n: number }>`select count(*)::int as n from fhir_outbox where resource_type = ${type} and change_seq > delivered_seq`.execute(
        hub.database.db,
      );
      if (left.rows[0]!.n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  } finally {
    for (const row of others)
      await hub.database.db
        .updateTable('fhir_outbox')
        .set({ next_attempt_at: new Date() })
        .where('resource_type', '=', row.resource_type)
        .where('resource_id', '=', row.resource_id)
        .execute();
  }
}
