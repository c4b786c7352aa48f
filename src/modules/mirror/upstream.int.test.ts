// Upstream mode against an independent FHIR server process: the guide's walkthrough ends with that
// server holding the right statuses and notes, /fhir forwards reads to it, and a 30-second outage
// during 200 lifecycles loses nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createSentReferral, drainMirror, grantConsent, guideReferral, startHarness, type Harness } from '../../../test/support/harness.js';
import { upstreamFhirServer, type UpstreamFhirServer } from '../../../test/support/upstream.js';
import { outboxStatus } from './outbox.js';

const TASK_STEPS = [
  ['RECEIVED', 'Referral received'],
  ['ACCEPTED', 'Appointment booked'],
  ['INPROGRESS', 'Seen in clinic'],
  ['COMPLETED', 'Discharged to GP'],
] as const;

for (const engine of testEngines()) {
  describe(`FHIR mirror to an upstream FHIR server on ${engine.name}`, () => {
    let upstream: UpstreamFhirServer;
    let hub: Harness;
    before(async () => {
      upstream = await upstreamFhirServer();
      await upstream.start();
      hub = await startHarness(engine, { config: { fhirUpstream: { baseUrl: upstream.baseUrl }, mirror: { enabled: true, pollMs: 50, retryMaxMs: 1000 } } });
    });
    after(async () => {
      await hub.close();
      await upstream.stop();
    });

    it('ends the guide walkthrough with the upstream holding the completed ServiceRequest and Task with every note', async () => {
      const { id, taskId } = await createSentReferral(hub);
      for (const [status, note] of TASK_STEPS) {
        assert.equal((await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status, note } })).status, 200);
      }
      await drainMirror(hub);
      const serviceRequest = await upstream.get(`ServiceRequest/referral-${id}`);
      assert.equal(serviceRequest.status, 200);
      assert.equal(serviceRequest.body.status, 'completed');
      assert.equal(serviceRequest.body.subject.reference, 'Patient/ePatient-8675309');
      const task = await upstream.get(`Task/referral-task-${taskId}`);
      assert.equal(task.body.status, 'completed');
      assert.deepEqual(
        task.body.note.map((note: any) => note.text),
        TASK_STEPS.map(([, note]) => note),
      );
      const consents = await upstream.get('Consent?patient=Patient/ePatient-8675309');
      assert.ok(consents.body.entry.length >= 3);
    });

    it('forwards /fhir reads to the upstream server, with the same access rules', async () => {
      const { id } = await createSentReferral(hub);
      const revoked = await hub.request('POST', `/api/referrals/${id}/revoke`, { as: 'dr-smith', body: { reason: 'Patient moved away' } });
      assert.equal(revoked.status, 200);
      await drainMirror(hub);
      const read = await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'dr-smith' });
      assert.equal(read.status, 200);
      assert.equal(read.body.status, 'revoked');
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'dr-other' })).status, 404);
      assert.equal((await hub.request('PUT', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin', body: read.body })).status, 405);
    });

    it('survives the upstream being down for 30 s while 200 referrals move: it ends holding exactly each final state', async () => {
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
      await upstream.stop();
      const stoppedAt = Date.now();
      const expected = new Map<number, { serviceRequest: string; task: string; taskId: number; notes: number }>();
      const lifecycles = Array.from({ length: 200 }, (_, i) => i);
      for (let start = 0; start < lifecycles.length; start += 16) {
        await Promise.all(lifecycles.slice(start, start + 16).map(async (i) => expected.set(...(await moveReferral(hub, i)))));
      }
      assert.ok((await outboxStatus(hub.database.db)).pending > 0, 'changes wait while the upstream is down');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
      await upstream.start();
      await drainMirror(hub, 60_000);

      for (const [id, state] of expected) {
        const serviceRequest = await upstream.get(`ServiceRequest/referral-${id}`);
        assert.equal(serviceRequest.body.status, state.serviceRequest, `ServiceRequest/referral-${id}`);
        const [ours] = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' })).body;
        const task = await upstream.get(`Task/referral-task-${state.taskId}`);
        assert.equal(task.body.status, state.task, `Task/referral-task-${state.taskId}`);
        assert.equal(ours.fhirStatus, state.task);
        assert.deepEqual(
          task.body.note.map((note: any) => note.text),
          ours.notes.map((note: any) => note.text),
        );
        assert.ok(task.body.note.length >= state.notes);
      }
      const rows = await hub.database.db.selectFrom('fhir_outbox').select(['change_seq', 'delivered_seq', 'last_error']).execute();
      assert.ok(
        rows.every((row) => row.delivered_seq === row.change_seq && row.last_error === null),
        'every outbox row delivered, none left behind',
      );
    });
  });
}

describe('FHIR mirror to an upstream FHIR server that wants OAuth2 client-credentials tokens', () => {
  const [engine] = testEngines();
  let upstream: UpstreamFhirServer;
  before(async () => {
    upstream = await upstreamFhirServer({ clientSecret: 'upstream-secret' });
    await upstream.start();
  });
  after(() => upstream.stop());

  const hubWith = (clientSecret: string) =>
    startHarness(engine!, {
      config: {
        fhirUpstream: { baseUrl: upstream.baseUrl, auth: { tokenUrl: upstream.tokenUrl!, clientId: 'referral-hub', clientSecret } },
        mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 },
      },
    });

  it('delivers with a token from the token endpoint, and reads through /fhir with it', async () => {
    const hub = await hubWith('upstream-secret');
    try {
      const { id } = await createSentReferral(hub);
      await drainMirror(hub);
      assert.equal((await upstream.get(`ServiceRequest/referral-${id}`)).body.status, 'active');
      assert.equal((await hub.request('GET', `/fhir/ServiceRequest/referral-${id}`, { as: 'admin' })).body.status, 'active');
      const health = JSON.stringify((await hub.request('GET', '/health')).body);
      assert.equal(JSON.parse(health).fhirMirror.target, 'upstream');
      assert.doesNotMatch(
        health,
        new RegExp(`${new URL(upstream.baseUrl).host}|upstream-secret|referral-hub`),
        '/health says nothing of where the upstream is or how it is reached',
      );
    } finally {
      await hub.close();
    }
  });

  it('keeps the rows pending with the token endpoint’s refusal when the secret is wrong', async () => {
    const hub = await hubWith('wrong-secret');
    try {
      const { id } = await createSentReferral(hub, { clinicalNote: 'Sent while the secret is wrong' });
      await hub.app.mirrorWorker.deliverDue();
      const row = await hub.database.db.selectFrom('fhir_outbox').selectAll().where('resource_id', '=', `referral-${id}`).executeTakeFirstOrThrow();
      assert.ok(row.change_seq > row.delivered_seq);
      assert.match(row.last_error ?? '', /token endpoint answered 401/);
      const upstreamCopy = await upstream.get(`ServiceRequest/referral-${id}`);
      assert.notEqual(upstreamCopy.body.note?.[0]?.text, 'Sent while the secret is wrong', 'nothing of this hub reached the upstream');
    } finally {
      await hub.close();
    }
  });
});

/** One referral from draft to one of four endings; returns its id and the state it should end in upstream. */
async function moveReferral(hub: Harness, i: number) {
  const created = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral({ clinicalNote: `Lifecycle ${i}` }) });
  const id = created.body.id as number;
  await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
  const taskId = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-patel' })).body[0].id as number;
  const patch = (status: string, extra: Record<string, unknown> = {}) =>
    hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status, note: `${status} ${i}`, ...extra } });
  const ending = i % 4;
  let state;
  if (ending === 0) {
    for (const [status] of TASK_STEPS) await patch(status);
    state = { serviceRequest: 'completed', task: 'completed', notes: 4 };
  } else if (ending === 1) {
    await patch('RECEIVED');
    await patch('REJECTED', { rejectionReason: 'Not for cardiology' });
    state = { serviceRequest: 'active', task: 'rejected', notes: 2 };
  } else if (ending === 2) {
    await patch('RECEIVED');
    await hub.request('POST', `/api/referrals/${id}/revoke`, { as: 'dr-smith', body: { reason: 'No longer needed' } });
    state = { serviceRequest: 'revoked', task: 'cancelled', notes: 1 };
  } else {
    await patch('RECEIVED');
    await patch('ACCEPTED');
    await hub.request('POST', `/api/referrals/${id}/hold`, { as: 'dr-patel', body: { reason: 'Awaiting results' } });
    state = { serviceRequest: 'on-hold', task: 'accepted', notes: 2 };
  }
  return [id, { ...state, taskId }] as const;
}
