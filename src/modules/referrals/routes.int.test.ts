// The workflow guide end to end over real HTTP, on every test database engine.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, createSentReferral, grantConsent, guideReferral, startHarness, type Harness } from '../../../test/support/harness.js';

for (const engine of testEngines()) {
  describe(`referral workflow on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    it('creates a draft with the guide body: 201, DRAFT, consent not verified', async () => {
      const created = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral() });
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'DRAFT');
      assert.equal(created.body.consentVerified, false);
      assert.equal(created.body.fhirPriority, 'routine');
      assert.deepEqual(created.body.sharedResourceTypes, ['Observation', 'Condition', 'DiagnosticReport']);
      assert.equal(created.headers.get('etag'), `"${created.body.version}"`);
    });

    it("offers clinicians the kinds and reasons of a referral by name, and each priority's response time as configured", async () => {
      const choices = await hub.request('GET', '/api/referrals/choices', { as: 'dr-smith' });
      assert.equal(choices.status, 200);
      assert.deepEqual(choices.body.kinds[0], { code: '103696004', display: 'Patient referral to cardiologist' });
      assert.ok(
        choices.body.reasons.some((reason: { code: string; display: string }) => reason.code === 'I20.9' && reason.display === 'Angina pectoris, unspecified'),
      );
      const hours = Object.fromEntries(
        choices.body.priorities.map((choice: { priority: string; responseHours: number }) => [choice.priority, choice.responseHours]),
      );
      assert.deepEqual(hours, hub.config.responseDueHours);
      assert.deepEqual(choices.body.rejectionReasons[1], { code: 'WRONG_SERVICE', display: 'Wrong service' });
      assert.equal((await hub.request('GET', '/api/referrals/choices', { as: 'patient' })).status, 403);
    });

    it('audits the send and task updates of referrals recorded before audit chains were per referral', async () => {
      const template = await hub.database.db
        .selectFrom('referral')
        .selectAll()
        .where('id', '=', await createDraft(hub))
        .executeTakeFirstOrThrow();
      const { id: _id, priority_rank: _rank, version: _version, consent_lost: _lost, reason_codes, shared_resource_types, ...columns } = template;
      const legacyReferral = async (status: string) => {
        const row = { ...columns, status, reason_codes: JSON.stringify(reason_codes), shared_resource_types: JSON.stringify(shared_resource_types) };
        return (await hub.database.db.insertInto('referral').values(row).returning('id').executeTakeFirstOrThrow()).id;
      };
      const actions = async (id: number) =>
        (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body.map((event: any) => event.action);

      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
      const draft = await legacyReferral('DRAFT');
      assert.equal((await hub.request('POST', `/api/referrals/${draft}/send`, { as: 'dr-smith' })).status, 200);
      assert.deepEqual(await actions(draft), ['referral.send']);

      const active = await legacyReferral('ACTIVE');
      const task = await hub.database.db
        .insertInto('referral_task')
        .values({
          referral_id: active,
          status: 'REQUESTED',
          owner_id: columns.receiving_organisation_id,
          requester_id: columns.requester_id,
          created_at: new Date(),
          updated_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const status of ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED']) {
        assert.equal((await hub.request('PATCH', `/api/referrals/${active}/tasks/${task.id}`, { as: 'dr-patel', body: { status } })).status, 200);
      }
      assert.deepEqual(await actions(active), ['task.update', 'task.update', 'task.update', 'task.update', 'referral.complete']);
    });

    it('edits a draft, and refuses to edit once sent with 409 REFERRAL_NOT_EDITABLE', async () => {
      const id = await createDraft(hub);
      const edited = await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { priority: 'URGENT', clinicalNote: 'Worse today.' } });
      assert.equal(edited.status, 200);
      assert.equal(edited.body.priority, 'URGENT');
      assert.equal(edited.body.clinicalNote, 'Worse today.');
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
      assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
      const late = await hub.request('PATCH', `/api/referrals/${id}`, { as: 'dr-smith', body: { priority: 'STAT' } });
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'REFERRAL_NOT_EDITABLE');
    });

    it('refuses to send without consent: 422 naming every missing type, nothing changed, refusal audited', async () => {
      const patientId = 'Patient/gate-test-1';
      await grantConsent(hub, ['Observation'], patientId);
      const id = await createDraft(hub, { patientId });
      const refused = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'CONSENT_GATE_FAILED');
      assert.deepEqual(refused.body.missingResourceTypes, ['Condition', 'DiagnosticReport']);
      assert.equal(
        refused.body.message,
        'Cannot send referral — patient has not consented to share Condition, DiagnosticReport with royal-london-cardiology-smart. Ask the patient to grant consent via the patient portal.',
      );
      const referral = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
      assert.equal(referral.body.status, 'DRAFT');
      assert.equal(referral.body.consentVerified, false);
      assert.equal(referral.body.authoredOn, null);
      assert.deepEqual((await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' })).body, []);
      const history = await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' });
      const refusal = history.body.at(-1);
      assert.equal(refusal.action, 'referral.send');
      assert.equal(refusal.outcome, 'failure');
      assert.deepEqual(refusal.detail.missingResourceTypes, ['Condition', 'DiagnosticReport']);
    });

    it('sends once consent holds: ACTIVE, authoredOn now, a REQUESTED task, decisions audited with their grants', async () => {
      const id = await createDraft(hub);
      const grants = await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
      const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(sent.status, 200);
      assert.equal(sent.body.status, 'ACTIVE');
      assert.equal(sent.body.consentVerified, true);
      assert.equal(sent.body.authoredOn, hub.clock.now().toISOString());
      const due = new Date(hub.clock.now().getTime() + 18 * 7 * 24 * 3600_000).toISOString();
      assert.equal(sent.body.responseDueAt, due);
      const tasks = await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' });
      assert.equal(tasks.body.length, 1);
      assert.equal(tasks.body[0].status, 'REQUESTED');
      assert.equal(tasks.body[0].ownerId, 'Organization/royal-london-cardiology');
      const history = await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' });
      const send = history.body.find((event: any) => event.action === 'referral.send' && event.outcome === 'success');
      const condition = send.detail.consent.find((decision: any) => decision.resourceType === 'Condition');
      assert.deepEqual(condition, { resourceType: 'Condition', decision: 'permit', grantId: grants.find((g) => g.resourceType === 'Condition')!.id });
    });

    it('works the task to completion, keeping every note with author and time, and completes the referral', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const path = `/api/referrals/${id}/tasks/${taskId}`;
      const steps = [
        { status: 'RECEIVED' },
        { status: 'ACCEPTED', note: 'Appointment booked for 15 July' },
        { status: 'INPROGRESS' },
        { status: 'COMPLETED', note: 'Cardiology assessment completed. Findings documented.' },
      ];
      for (const step of steps) {
        const moved = await hub.request('PATCH', path, { as: 'dr-patel', body: step });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        assert.equal(moved.body.status, step.status);
      }
      const referral = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
      assert.equal(referral.body.status, 'COMPLETED');
      const [task] = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' })).body;
      assert.deepEqual(
        task.notes.map((note: any) => [note.author, note.status, note.text]),
        [
          ['Practitioner/dr-patel', 'ACCEPTED', 'Appointment booked for 15 July'],
          ['Practitioner/dr-patel', 'COMPLETED', 'Cardiology assessment completed. Findings documented.'],
        ],
      );
      assert.ok(task.notes.every((note: any) => !Number.isNaN(Date.parse(note.createdAt))));
      const actions = (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body.map((e: any) => e.action);
      assert.deepEqual(actions.slice(-5), ['task.update', 'task.update', 'task.update', 'task.update', 'referral.complete']);
    });

    it('refuses a move the FHIR Task state machine does not allow with 409 naming from and to', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const skipped = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'COMPLETED' } });
      assert.equal(skipped.status, 409);
      assert.equal(skipped.body.code, 'INVALID_TRANSITION');
      assert.equal(skipped.body.from, 'REQUESTED');
      assert.equal(skipped.body.to, 'COMPLETED');
    });

    it('rejects with a reason (required), leaving the referral active and out of the inbox', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const path = `/api/referrals/${id}/tasks/${taskId}`;
      const noReason = await hub.request('PATCH', path, { as: 'dr-patel', body: { status: 'REJECTED' } });
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.field, 'body.rejectionReason');
      const reason = 'No capacity until Q4. Please refer to City Hospital.';
      const rejected = await hub.request('PATCH', path, { as: 'dr-patel', body: { status: 'REJECTED', rejectionReason: reason } });
      assert.equal(rejected.status, 200);
      assert.equal(rejected.body.rejectionReason, reason);
      assert.equal((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.status, 'ACTIVE');
      const inbox = await hub.request('GET', '/api/referrals/inbox?performerId=Organization/royal-london-cardiology&limit=100', { as: 'dr-patel' });
      assert.ok(!inbox.body.items.some((item: any) => item.id === id));
    });

    it('holds (query or body reason) and resumes from either side; task updates on hold get 409 REFERRAL_ON_HOLD', async () => {
      const { id, taskId } = await createSentReferral(hub);
      const held = await hub.request('POST', `/api/referrals/${id}/hold?reason=Patient+admitted+to+ICU`, { as: 'dr-smith' });
      assert.equal(held.status, 200);
      assert.equal(held.body.status, 'ON_HOLD');
      assert.equal(held.body.holdReason, 'Patient admitted to ICU');
      const blocked = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'RECEIVED' } });
      assert.equal(blocked.status, 409);
      assert.equal(blocked.body.code, 'REFERRAL_ON_HOLD');
      const resumed = await hub.request('POST', `/api/referrals/${id}/resume`, { as: 'dr-patel' });
      assert.equal(resumed.body.status, 'ACTIVE');
      const heldByBody = await hub.request('POST', `/api/referrals/${id}/hold`, { as: 'dr-patel', body: { reason: 'Awaiting bloods' } });
      assert.equal(heldByBody.body.holdReason, 'Awaiting bloods');
      const holdAgain = await hub.request('POST', `/api/referrals/${id}/hold`, { as: 'dr-smith' });
      assert.equal(holdAgain.status, 409);
      assert.deepEqual([holdAgain.body.from, holdAgain.body.to], ['ON_HOLD', 'ON_HOLD']);
    });

    it('revokes: open tasks cancelled, every record kept', async () => {
      const { id, taskId } = await createSentReferral(hub);
      await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'RECEIVED', note: 'Seen.' } });
      const revoked = await hub.request('POST', `/api/referrals/${id}/revoke?reason=Patient+declined+referral`, { as: 'dr-smith' });
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.status, 'REVOKED');
      assert.equal(revoked.body.revocationReason, 'Patient declined referral');
      const [task] = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-patel' })).body;
      assert.equal(task.status, 'CANCELLED');
      assert.deepEqual(
        task.notes.map((note: any) => note.text),
        ['Seen.', 'Referral revoked: Patient declined referral'],
      );
      const late = await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'ACCEPTED' } });
      assert.equal(late.status, 409);
      const actions = (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body.map((e: any) => e.action);
      assert.deepEqual(actions.slice(-2), ['task.cancel', 'referral.revoke']);
    });

    it('keeps a sent referral ACTIVE when consent is revoked, and warns naming the revoked type', async () => {
      const patientId = 'Patient/warn-test-1';
      const grants = await grantConsent(hub, ['Observation', 'Condition'], patientId);
      const id = await createDraft(hub, { patientId, sharedResourceTypes: ['Observation', 'Condition'] });
      await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.deepEqual((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.consentWarnings, []);
      const condition = grants.find((grant) => grant.resourceType === 'Condition')!;
      const revokedGrant = await hub.request('POST', `/api/consent/${condition.id}/revoke`, { as: 'admin' });
      assert.equal(revokedGrant.body.status, 'revoked');
      const referral = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
      assert.equal(referral.body.status, 'ACTIVE');
      assert.deepEqual(referral.body.consentWarnings, ['Condition']);
    });

    it('shows overdue once the response time has passed', async () => {
      const { id } = await createSentReferral(hub, { priority: 'STAT' });
      assert.equal((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.overdue, false);
      hub.clock.advance(61 * 60_000);
      try {
        assert.equal((await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' })).body.overdue, true);
      } finally {
        hub.clock.advance(-61 * 60_000);
      }
    });

    it('names the field of bad input with 400 and writes nothing', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ priority: 'SOON' }, 'body.priority'],
        [{ sharedResourceTypes: ['Observation', 'Banana'] }, 'body.sharedResourceTypes[1]'],
        [{ patientId: 'ePatient 1' }, 'body.patientId'],
        [{ surprise: true }, 'body.surprise'],
        [{ occurrenceDate: '15/07/2025' }, 'body.occurrenceDate'],
        [{ referralCode: 103696004 }, 'body.referralCode'],
      ];
      const before = (await hub.request('GET', '/api/referrals?limit=1', { as: 'dr-smith' })).body.items[0]?.id;
      for (const [change, field] of cases) {
        const response = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral(change) });
        assert.equal(response.status, 400, field);
        assert.equal(response.body.code, 'VALIDATION_FAILED');
        assert.equal(response.body.field, field);
      }
      const missing = await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: { ...guideReferral(), patientId: undefined } });
      assert.equal(missing.body.field, 'body.patientId');
      assert.equal((await hub.request('GET', '/api/referrals?limit=1', { as: 'dr-smith' })).body.items[0]?.id, before);
    });
  });
}
