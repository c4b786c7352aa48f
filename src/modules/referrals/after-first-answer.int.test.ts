// The referral after its first answer, over real HTTP on every engine: a coded rejection that goes
// back to the referrer, redirect and forward through the consent gate for the new receiver's app, the
// organisation left behind keeping what it saw, and a return with advice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';

const TYPES = ['Observation', 'Condition', 'DiagnosticReport'];
const CARDIOLOGY_APP = 'royal-london-cardiology-smart';
const CITY_APP = 'city-hospital-smart';
const toCity = { performerId: 'Organization/city-hospital', receivingOrganisationId: 'Organization/city-hospital', reason: 'Closer to home' };

for (const engine of testEngines()) {
  describe(`the referral after its first answer on ${engine.name}`, () => {
    let hub: Harness;
    let patients = 0;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    /** A referral of a patient of its own sent to cardiology, with consent for cardiology's app (and for the city's when asked). */
    async function sentToCardiology(options: { cityConsent?: boolean } = {}) {
      const patientId = `Patient/after-answer-${engine.name}-${++patients}`;
      await grantConsent(hub, TYPES, patientId, CARDIOLOGY_APP);
      if (options.cityConsent) await grantConsent(hub, TYPES, patientId, CITY_APP);
      const id = await createDraft(hub, { patientId });
      const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(sent.status, 200);
      return { id, patientId, taskId: sent.body.currentTask.id as number };
    }

    const read = (id: number, as: 'dr-smith' | 'dr-patel' | 'dr-other' = 'dr-smith') => hub.request('GET', `/api/referrals/${id}`, { as });
    const tasksOf = async (id: number, as: 'dr-smith' | 'dr-patel' | 'dr-other' = 'dr-smith') =>
      (await hub.request('GET', `/api/referrals/${id}/tasks`, { as })).body as any[];

    it('rejects with a coded reason: the referral stays ACTIVE, and the referrer may now redirect or revoke it', async () => {
      const { id, taskId } = await sentToCardiology();
      const rejected = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, {
        as: 'dr-patel',
        body: { status: 'REJECTED', rejectionCode: 'NO_CAPACITY', rejectionReason: 'No capacity until Q4.' },
      });
      assert.equal(rejected.status, 200);
      assert.equal(rejected.body.rejectionCode, 'NO_CAPACITY');
      const seen = (await read(id)).body;
      assert.equal(seen.status, 'ACTIVE');
      assert.deepEqual(seen.currentTask, { id: taskId, status: 'REJECTED' });
      assert.deepEqual(seen.actions, ['hold', 'revoke', 'redirect', 'attach']);
      assert.deepEqual((await read(id, 'dr-patel')).body.actions, ['hold', 'add-note', 'attach']);
    });

    it("takes the guide's rejection without a code as OTHER, and refuses a code without a rejection", async () => {
      const { id, taskId } = await sentToCardiology();
      const coded = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, {
        as: 'dr-patel',
        body: { status: 'RECEIVED', rejectionCode: 'DUPLICATE' },
      });
      assert.equal(coded.status, 400);
      assert.equal(coded.body.field, 'body.rejectionCode');
      const rejected = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, {
        as: 'dr-patel',
        body: { status: 'REJECTED', rejectionReason: 'No capacity until Q4. Please refer to City Hospital.' },
      });
      assert.equal(rejected.body.rejectionCode, 'OTHER');
    });

    it('redirects after a rejection only once the patient consents for the new receiver’s app; until then 422 and nothing changes', async () => {
      const { id, patientId, taskId } = await sentToCardiology();
      await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, {
        as: 'dr-patel',
        body: { status: 'REJECTED', rejectionCode: 'WRONG_SERVICE', rejectionReason: 'Not cardiac' },
      });
      const before = (await read(id)).body;

      const refused = await hub.request('POST', `/api/referrals/${id}/redirect`, { as: 'dr-smith', body: toCity });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'CONSENT_GATE_FAILED');
      assert.match(refused.body.message, /^Cannot redirect referral — patient has not consented/);
      assert.deepEqual(refused.body.missingResourceTypes.sort(), [...TYPES].sort());
      assert.match(refused.body.consentPortalUrl, /client_id=city-hospital-smart/);
      const unchanged = (await read(id)).body;
      assert.equal(unchanged.version, before.version);
      assert.equal(unchanged.performerId, 'Organization/royal-london-cardiology');
      assert.equal((await tasksOf(id)).length, 1);

      await grantConsent(hub, TYPES, patientId, CITY_APP);
      hub.clock.advance(60 * 60_000);
      try {
        const redirected = await hub.request('POST', `/api/referrals/${id}/redirect`, {
          as: 'dr-smith',
          body: toCity,
          headers: { 'if-match': `"${before.version}"` },
        });
        assert.equal(redirected.status, 200);
        assert.equal(redirected.body.status, 'ACTIVE');
        assert.equal(redirected.body.performerId, 'Organization/city-hospital');
        assert.equal(redirected.body.receivingFacilityClientId, CITY_APP);
        assert.equal(redirected.body.currentTask.status, 'REQUESTED');
        assert.ok(Date.parse(redirected.body.responseDueAt) > Date.parse(before.responseDueAt), 'the response clock restarts');
        const tasks = await tasksOf(id);
        assert.deepEqual(
          tasks.map((task) => [task.status, task.ownerId]),
          [
            ['REJECTED', 'Organization/royal-london-cardiology'],
            ['REQUESTED', 'Organization/city-hospital'],
          ],
        );
        assert.equal(tasks[1].notes[0].text, 'Redirected here by the referrer: Closer to home');
        const inbox = await hub.request('GET', '/api/referrals/inbox?performerId=Organization/city-hospital&limit=100', { as: 'dr-other' });
        assert.ok(inbox.body.items.some((item: any) => item.id === id));
        const history = (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body.map(
          (event: any) => `${event.action}:${event.outcome}`,
        );
        assert.deepEqual(history.slice(-2), ['referral.redirect:failure', 'referral.redirect:success']);
      } finally {
        hub.clock.advance(-60 * 60_000);
      }
    });

    it('leaves the organisation it moved away from with the referral as it last saw it, and no later change', async () => {
      const { id, taskId } = await sentToCardiology({ cityConsent: true });
      await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'RECEIVED' } });
      const redirected = await hub.request('POST', `/api/referrals/${id}/redirect`, { as: 'dr-smith', body: toCity });
      assert.equal(redirected.status, 200);
      await hub.request('PATCH', `/api/referrals/${id}/tasks/${redirected.body.currentTask.id}`, {
        as: 'dr-other',
        body: { status: 'ACCEPTED', note: 'Booked for Tuesday' },
      });

      const left = (await read(id, 'dr-patel')).body;
      assert.equal(left.performerId, 'Organization/royal-london-cardiology');
      assert.equal(left.movedAway.kind, 'REDIRECT');
      assert.deepEqual(left.actions, []);
      const theirs = await tasksOf(id, 'dr-patel');
      assert.deepEqual(
        theirs.map((task) => [task.id, task.status, task.outcome]),
        [[taskId, 'CANCELLED', 'REDIRECTED']],
      );
      assert.equal(theirs[0].notes.at(-1).text, 'Redirected by the referrer: Closer to home', 'told why, not where');
      const theirTask = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { note: 'Still here?' } });
      assert.equal(theirTask.status, 404);
      assert.equal((await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-patel' })).status, 404);
    });

    it('redirects while the task waits (the waiting task cancelled, never two open), but not once it is accepted', async () => {
      const { id, taskId } = await sentToCardiology({ cityConsent: true });
      const redirected = await hub.request('POST', `/api/referrals/${id}/redirect`, { as: 'dr-smith', body: toCity });
      assert.equal(redirected.status, 200);
      const [cancelled] = await tasksOf(id);
      assert.deepEqual([cancelled.id, cancelled.status, cancelled.outcome], [taskId, 'CANCELLED', 'REDIRECTED']);

      const again = await hub.request('POST', `/api/referrals/${id}/redirect`, { as: 'dr-smith', body: toCity });
      assert.equal(again.status, 400, 'it is already waiting there');
      assert.equal(again.body.field, 'body.performerId');

      await hub.request('PATCH', `/api/referrals/${id}/tasks/${redirected.body.currentTask.id}`, { as: 'dr-other', body: { status: 'ACCEPTED' } });
      const late = await hub.request('POST', `/api/referrals/${id}/redirect`, {
        as: 'dr-smith',
        body: { ...toCity, performerId: 'Organization/royal-london-cardiology', receivingOrganisationId: 'Organization/royal-london-cardiology' },
      });
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'ACTION_NOT_AVAILABLE');
      assert.match(late.body.message, /ACCEPTED/);
    });

    it('refuses a redirect to a place the directory does not know, naming the field', async () => {
      const { id } = await sentToCardiology();
      const unknown = await hub.request('POST', `/api/referrals/${id}/redirect`, {
        as: 'dr-smith',
        body: { ...toCity, performerId: 'Organization/nowhere', receivingOrganisationId: 'Organization/nowhere' },
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.code, 'ORGANISATION_NOT_IN_DIRECTORY');
      const noReason = await hub.request('POST', `/api/referrals/${id}/redirect`, { as: 'dr-smith', body: { ...toCity, reason: undefined } });
      assert.equal(noReason.status, 400);
      assert.match(noReason.body.message, /reason/);
    });

    it('forwards from the receiving side before it accepts, through the same gate; not by the referrer, not after accepting', async () => {
      const { id, taskId } = await sentToCardiology({ cityConsent: true });
      assert.equal((await hub.request('POST', `/api/referrals/${id}/forward`, { as: 'dr-smith', body: toCity })).status, 403);
      const same = await hub.request('POST', `/api/referrals/${id}/forward`, {
        as: 'dr-patel',
        body: { ...toCity, performerId: 'Organization/royal-london-cardiology', receivingOrganisationId: 'Organization/royal-london-cardiology' },
      });
      assert.equal(same.status, 400);

      const forwarded = await hub.request('POST', `/api/referrals/${id}/forward`, {
        as: 'dr-patel',
        body: { ...toCity, reason: 'Heart failure clinic is at City' },
      });
      assert.equal(forwarded.status, 200);
      assert.equal(forwarded.body.performerId, 'Organization/city-hospital');
      assert.deepEqual(forwarded.body.actions, [], 'dr-patel no longer has it');
      const tasks = await tasksOf(id);
      assert.deepEqual(
        tasks.map((task) => [task.status, task.outcome]),
        [
          ['CANCELLED', 'FORWARDED'],
          ['REQUESTED', null],
        ],
      );
      assert.equal(tasks[1].notes[0].text, 'Forwarded by Organization/royal-london-cardiology: Heart failure clinic is at City');
      assert.equal((await read(id, 'dr-patel')).body.movedAway.kind, 'FORWARD');
      assert.deepEqual((await read(id, 'dr-other')).body.actions, ['hold', 'forward', 'receive', 'accept', 'reject', 'add-note', 'attach']);

      await hub.request('PATCH', `/api/referrals/${id}/tasks/${tasks[1].id}`, { as: 'dr-other', body: { status: 'ACCEPTED' } });
      const late = await hub.request('POST', `/api/referrals/${id}/forward`, {
        as: 'dr-other',
        body: { ...toCity, performerId: 'Organization/royal-london-cardiology', receivingOrganisationId: 'Organization/royal-london-cardiology' },
      });
      assert.equal(late.status, 409);
      assert.equal(taskId, tasks[0].id);
    });

    it('returns with advice from RECEIVED: task and referral COMPLETED with that outcome, the advice kept as the last note', async () => {
      const { id, taskId } = await sentToCardiology();
      const early = await hub.request('POST', `/api/referrals/${id}/return-with-advice`, { as: 'dr-patel', body: { advice: 'Start a statin.' } });
      assert.equal(early.status, 409, 'a REQUESTED task is received first');
      await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'RECEIVED' } });
      assert.equal((await hub.request('POST', `/api/referrals/${id}/return-with-advice`, { as: 'dr-smith', body: { advice: 'x' } })).status, 403);

      const returned = await hub.request('POST', `/api/referrals/${id}/return-with-advice`, {
        as: 'dr-patel',
        body: { advice: 'Likely musculoskeletal. Start a statin and re-refer if pain on exertion persists.' },
      });
      assert.equal(returned.status, 200);
      assert.equal(returned.body.status, 'COMPLETED');
      assert.equal(returned.body.outcome, 'RETURNED_WITH_ADVICE');
      const [task] = await tasksOf(id);
      assert.deepEqual([task.status, task.outcome], ['COMPLETED', 'RETURNED_WITH_ADVICE']);
      assert.match(task.notes.at(-1).text, /musculoskeletal/);
      assert.deepEqual((await read(id)).body.actions, []);
    });

    it('never leaves two open tasks when redirects race', async () => {
      const { id } = await sentToCardiology({ cityConsent: true });
      const places = ['Organization/city-hospital', 'Organization/royal-london-cardiology'];
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          hub.request('POST', `/api/referrals/${id}/redirect`, {
            as: 'dr-smith',
            body: { performerId: places[index % 2], receivingOrganisationId: places[index % 2], reason: `race ${index}` },
          }),
        ),
      );
      const moved = answers.filter((answer) => answer.status === 200).length;
      assert.ok(moved >= 1);
      assert.ok(
        answers.every((answer) => answer.status === 200 || answer.status === 400 || answer.status === 422),
        JSON.stringify(answers.map((a) => a.status)),
      );
      const tasks = await tasksOf(id);
      assert.equal(tasks.length, 1 + moved, 'one task per move, plus the first');
      assert.equal(tasks.filter((task) => ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'INPROGRESS'].includes(task.status)).length, 1);
    });
  });
}
