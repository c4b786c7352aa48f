// Worklists over real HTTP on every engine: each side's lists hold the referrals their names promise,
// with counts that match the items, in due-date order, paged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { sql } from 'kysely';
import { createDraft, createSentReferral, startHarness, type Harness } from '../../../test/support/harness.js';

for (const engine of testEngines()) {
  describe(`worklists on ${engine.name}`, () => {
    let hub: Harness;
    const ids: Record<string, number> = {};
    before(async () => {
      hub = await startHarness(engine);
      const task = async (id: number, taskId: number, body: unknown) => {
        const moved = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      };
      ids.draft = await createDraft(hub);
      const waiting = await createSentReferral(hub, { priority: 'ROUTINE' });
      const urgent = await createSentReferral(hub, { priority: 'URGENT' });
      const rejected = await createSentReferral(hub);
      await task(rejected.id, rejected.taskId, { status: 'REJECTED', rejectionCode: 'INSUFFICIENT_INFORMATION', rejectionReason: 'Send the ECG' });
      const returned = await createSentReferral(hub);
      await task(returned.id, returned.taskId, { status: 'RECEIVED' });
      assert.equal((await hub.request('POST', `/api/referrals/${returned.id}/return-with-advice`, { as: 'dr-patel', body: { advice: 'Statin' } })).status, 200);
      const held = await createSentReferral(hub);
      await hub.request('POST', `/api/referrals/${held.id}/hold`, { as: 'dr-smith', body: { reason: 'Patient abroad' } });
      const accepted = await createSentReferral(hub);
      await task(accepted.id, accepted.taskId, { status: 'ACCEPTED' });
      const started = await createSentReferral(hub);
      await task(started.id, started.taskId, { status: 'ACCEPTED' });
      await task(started.id, started.taskId, { status: 'INPROGRESS' });
      const completed = await createSentReferral(hub);
      for (const status of ['ACCEPTED', 'INPROGRESS', 'COMPLETED']) await task(completed.id, completed.taskId, { status });
      Object.assign(ids, {
        waiting: waiting.id,
        urgent: urgent.id,
        rejected: rejected.id,
        returned: returned.id,
        held: held.id,
        accepted: accepted.id,
        started: started.id,
        completed: completed.id,
      });
    });
    after(() => hub.close());

    const counts = async (as: 'dr-smith' | 'dr-patel' | 'dr-other') => {
      const answer = await hub.request('GET', '/api/worklists', { as });
      assert.equal(answer.status, 200);
      return Object.fromEntries(answer.body.lists.map((list: any) => [list.name, list.count]));
    };
    const items = async (name: string, as: 'dr-smith' | 'dr-patel' = 'dr-smith', query = ''): Promise<any> => {
      const answer = await hub.request('GET', `/api/worklists/${name}${query}`, { as });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body;
    };
    const idsOf = (page: any) => page.items.map((item: any) => item.id).sort((a: number, b: number) => a - b);

    it('gives the referrer its lists: drafts, awaiting an answer, action needed (rejected or returned), on hold, overdue, recently completed', async () => {
      assert.deepEqual(await counts('dr-smith'), {
        drafts: 1,
        'awaiting-answer': 2,
        'action-needed': 2,
        'sent-on-hold': 1,
        'sent-overdue': 0,
        'recently-completed': 2,
        'advice-answered': 0,
      });
      assert.deepEqual(idsOf(await items('action-needed')), [ids.rejected, ids.returned]);
      assert.deepEqual(idsOf(await items('recently-completed')), [ids.returned, ids.completed]);
      assert.deepEqual(idsOf(await items('drafts')), [ids.draft]);
    });

    it('gives the receiver its lists, and a clinician of an unrelated hospital empty ones', async () => {
      const patel = await counts('dr-patel');
      assert.deepEqual(
        { new: patel.new, accepted: patel.accepted, 'in-progress': patel['in-progress'], 'received-on-hold': patel['received-on-hold'] },
        { new: 2, accepted: 1, 'in-progress': 1, 'received-on-hold': 1 },
      );
      assert.deepEqual(idsOf(await items('in-progress', 'dr-patel')), [ids.started]);
      assert.ok(Object.values(await counts('dr-other')).every((count) => count === 0));
    });

    it('orders items soonest due first and pages through them with the cursor', async () => {
      const all = await items('awaiting-answer');
      assert.equal(all.items[0].id, ids.urgent, 'the urgent referral is due first');
      const dues = all.items.map((item: any) => Date.parse(item.responseDueAt));
      assert.deepEqual(
        dues,
        [...dues].sort((a, b) => a - b),
      );
      const seen: number[] = [];
      let cursor = '';
      do {
        const page = await items('awaiting-answer', 'dr-smith', `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((item: any) => item.id));
        cursor = page.nextCursor ?? '';
      } while (cursor);
      assert.deepEqual(
        seen,
        all.items.map((item: any) => item.id),
      );
    });

    it('moves referrals past their response time (18 weeks when routine) into overdue, and completed ones out after two weeks', async () => {
      const later = 19 * 7 * 24 * 3600_000;
      hub.clock.advance(later);
      try {
        const smith = await counts('dr-smith');
        assert.equal(smith['sent-overdue'], 6, 'every sent, open referral');
        assert.equal(smith['recently-completed'], 0);
        assert.equal(smith['action-needed'], 1, 'the rejection still needs action; the old return does not');
        assert.equal((await counts('dr-patel'))['received-overdue'], 5, 'the rejected one has no open task');
      } finally {
        hub.clock.advance(-later);
      }
    });

    it('counts up to 1,000 and says "at least" past it, and pages through drafts (which have no due date)', async () => {
      const patel = await counts('dr-patel');
      const patientId = `Patient/many-drafts-${engine.name}`;
      const fromCardiology = {
        patientId,
        requesterId: 'Practitioner/dr-patel',
        sendingOrganisationId: 'Organization/royal-london-cardiology',
        performerId: 'Organization/city-hospital',
        receivingOrganisationId: 'Organization/city-hospital',
        receivingFacilityClientId: 'city-hospital-smart',
      };
      const template = await createDraft(hub, fromCardiology, 'dr-patel');
      const columns = `status, patient_id, requester_id, performer_id, receiving_facility_client_id, referral_code, referral_display, priority, reason_codes,
        clinical_note, shared_resource_types, occurrence_date, sending_organisation_id, receiving_organisation_id, created_by, created_at, updated_at`;
      await sql`INSERT INTO referral (${sql.raw(columns)}) SELECT ${sql.raw(columns)} FROM referral, generate_series(1, 1004) WHERE id = ${template}`.execute(
        hub.database.db,
      );
      const lists = (await hub.request('GET', '/api/worklists', { as: 'dr-patel' })).body.lists;
      const drafts = lists.find((list: any) => list.name === 'drafts');
      assert.deepEqual([drafts.count, drafts.atLeast], [1000, true]);
      assert.equal(lists.find((list: any) => list.name === 'new').count, patel.new, 'the other lists are unchanged');
      assert.equal(lists.find((list: any) => list.name === 'new').atLeast, false);

      const seen = new Set<number>();
      let cursor = '';
      do {
        const page = await items('drafts', 'dr-patel', `?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        for (const item of page.items) seen.add(item.id);
        cursor = page.nextCursor ?? '';
      } while (cursor);
      assert.equal(seen.size, 1005);
    });

    it('names an unknown list in a 400', async () => {
      const unknown = await hub.request('GET', '/api/worklists/everything', { as: 'dr-smith' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.message, /name/);
    });
  });
}
