// Retries and races: Idempotency-Key replays, ETag/If-Match, and sixteen concurrent requests
// against one referral that must neither double a task nor lose a note.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, createSentReferral, grantConsent, guideReferral, startHarness, type Harness } from '../../../test/support/harness.js';

const RACERS = 16;

for (const engine of testEngines()) {
  describe(`concurrency and retries on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine);
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
    });
    after(() => hub.close());

    it('sixteen concurrent sends of one draft: one succeeds, one task exists', async () => {
      const id = await createDraft(hub);
      const results = await Promise.all(Array.from({ length: RACERS }, () => hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })));
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(statuses));
      assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.code === 'INVALID_TRANSITION'));
      const tasks = await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' });
      assert.equal(tasks.body.length, 1);
    });

    it('sixteen concurrent sends with one Idempotency-Key all get the same 200 (four drafts at once)', async () => {
      const ids = await Promise.all(Array.from({ length: 4 }, () => createDraft(hub)));
      await Promise.all(
        ids.map(async (id) => {
          const headers = { 'idempotency-key': `send-${id}` };
          const results = await Promise.all(
            Array.from({ length: RACERS }, () => hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith', headers })),
          );
          assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
          assert.equal(new Set(results.map((r) => JSON.stringify(r.body))).size, 1);
          assert.equal((await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' })).body.length, 1);
        }),
      );
    });

    it('sixteen concurrent notes on one task: every note kept', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, n) => hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { note: `note ${n}` } })),
      );
      assert.ok(results.every((r) => r.status === 200));
      const [task] = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-patel' })).body;
      assert.deepEqual(task.notes.map((note: any) => note.text).sort(), Array.from({ length: RACERS }, (_, n) => `note ${n}`).sort());
      assert.equal(task.version, 1 + RACERS);
    });

    it('sixteen concurrent status updates: exactly one moves the task, the rest get 409', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, n) =>
          hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'RECEIVED', note: `seen by ${n}` } }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 409));
      const [task] = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-patel' })).body;
      assert.equal(task.notes.length, 1);
    });

    it('replays a create with the same Idempotency-Key, and refuses the key for a different body', async () => {
      const headers = { 'idempotency-key': 'create-once-1' };
      const first = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral(), headers });
      const again = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral(), headers });
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      const other = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral({ priority: 'STAT' }), headers });
      assert.equal(other.status, 422);
      assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('returns the first send result again for a repeated key, even after the referral moved on', async () => {
      const id = await createDraft(hub);
      const headers = { 'idempotency-key': `send-again-${id}` };
      const first = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith', headers });
      await hub.request('POST', `/api/referrals/${id}/hold`, { as: 'dr-smith' });
      const repeat = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith', headers });
      assert.equal(repeat.status, 200);
      assert.deepEqual(repeat.body, first.body);
      const unkeyed = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(unkeyed.status, 409);
    });

    it('honours If-Match: a stale ETag gets 412 VERSION_CONFLICT and changes nothing', async () => {
      const created = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral() });
      const etag = created.headers.get('etag')!;
      const edited = await hub.request('PATCH', `/api/referrals/${created.body.id}`, {
        as: 'dr-smith',
        body: { priority: 'ASAP' },
        headers: { 'if-match': etag },
      });
      assert.equal(edited.status, 200);
      assert.notEqual(edited.headers.get('etag'), etag);
      const stale = await hub.request('PATCH', `/api/referrals/${created.body.id}`, {
        as: 'dr-smith',
        body: { priority: 'STAT' },
        headers: { 'if-match': etag },
      });
      assert.equal(stale.status, 412);
      assert.equal(stale.body.code, 'VERSION_CONFLICT');
      assert.equal((await hub.request('GET', `/api/referrals/${created.body.id}`, { as: 'dr-smith' })).body.priority, 'ASAP');
      const staleSend = await hub.request('POST', `/api/referrals/${created.body.id}/send`, { as: 'dr-smith', headers: { 'if-match': etag } });
      assert.equal(staleSend.status, 412);
    });

    it('honours If-Match on task updates with the task ETag', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const path = `/api/referrals/${id}/tasks/${taskId}`;
      const moved = await hub.request('PATCH', path, { as: 'dr-patel', body: { status: 'RECEIVED' }, headers: { 'if-match': '"1"' } });
      assert.equal(moved.status, 200);
      assert.equal(moved.headers.get('etag'), '"2"');
      const stale = await hub.request('PATCH', path, { as: 'dr-patel', body: { status: 'ACCEPTED' }, headers: { 'if-match': '"1"' } });
      assert.equal(stale.status, 412);
    });

    // Another instance of the service on the same database changes rows this one remembers; an
    // update here must be judged on the rows as they are, never on what this process saw last.
    describe('after another instance changed the task', () => {
      const elsewhere = (sql: (db: Harness['database']['db']) => Promise<unknown>) => sql(hub.database.db);
      const patch = (id: number, taskId: number, body: Record<string, unknown>) =>
        hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body });

      it("moves the task on from its status in the database, keeping the other instance's note", async () => {
        const { id, taskId } = await createSentReferral(hub);
        await elsewhere(async (db) => {
          await db
            .updateTable('referral_task')
            .set((eb) => ({ status: 'ACCEPTED', version: eb('version', '+', 1) }))
            .where('id', '=', taskId)
            .execute();
          await db
            .insertInto('task_note')
            .values({ task_id: taskId, author: 'Practitioner/dr-patel', status: 'ACCEPTED', text: 'Accepted elsewhere.', created_at: new Date() })
            .execute();
        });
        const updated = await patch(id, taskId, { status: 'INPROGRESS', note: 'Seen here.' });
        assert.equal(updated.status, 200, JSON.stringify(updated.body));
        assert.equal(updated.body.version, 3);
        assert.deepEqual(
          updated.body.notes.map((note: any) => note.text),
          ['Accepted elsewhere.', 'Seen here.'],
        );
        const history = (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body;
        assert.deepEqual(history.at(-1).detail, { from: 'ACCEPTED', to: 'INPROGRESS', noteAdded: true });
      });

      it('refuses a move from the status in the database', async () => {
        const { id, taskId } = await createSentReferral(hub);
        await elsewhere((db) =>
          db
            .updateTable('referral_task')
            .set((eb) => ({ status: 'REJECTED', rejection_reason: 'Not for us', version: eb('version', '+', 1) }))
            .where('id', '=', taskId)
            .execute(),
        );
        const refused = await patch(id, taskId, { status: 'RECEIVED' });
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, 'INVALID_TRANSITION');
        assert.match(refused.body.message, /REJECTED/);
      });

      it('refuses an update while the referral is on hold there', async () => {
        const { id, taskId } = await createSentReferral(hub);
        await elsewhere((db) => db.updateTable('referral').set({ status: 'ON_HOLD' }).where('id', '=', id).execute());
        const refused = await patch(id, taskId, { status: 'RECEIVED' });
        assert.equal(refused.status, 409);
        assert.equal(refused.body.code, 'REFERRAL_ON_HOLD');
      });
    });
  });
}
