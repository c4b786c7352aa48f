// Advice & guidance over real HTTP on every engine: a question to a specialist organisation, consent-
// gated for the patient data it shares, a conversation whose turn passes between the sides, "please
// refer", conversion into a referral that keeps the conversation, and its FHIR Communication resources.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { drainMirror, grantConsent, pdfUpload, startHarness, type Harness } from '../../../test/support/harness.js';

const APP = 'royal-london-cardiology-smart';

for (const engine of testEngines()) {
  describe(`advice and guidance on ${engine.name}`, () => {
    let hub: Harness;
    let patients = 0;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    const question = (patientId: string, extra: Record<string, unknown> = {}) => ({
      patientId,
      sendingOrganisationId: 'Organization/anytown-gp-practice',
      performerId: 'Organization/royal-london-cardiology',
      receivingOrganisationId: 'Organization/royal-london-cardiology',
      subject: 'Raised troponin, no chest pain',
      question: 'Troponin 48 ng/L on routine bloods, no symptoms. Does this need a referral?',
      ...extra,
    });
    const ask = async (extra: Record<string, unknown> = {}) => {
      const patientId = `Patient/advice-${engine.name}-${++patients}`;
      const asked = await hub.request('POST', '/api/advice-requests', { as: 'dr-smith', body: question(patientId, extra) });
      return { patientId, asked };
    };
    const say = (id: number, as: 'dr-smith' | 'dr-patel', body: Record<string, unknown>) =>
      hub.request('POST', `/api/advice-requests/${id}/messages`, { as, body });
    const counts = async (as: 'dr-smith' | 'dr-patel') =>
      Object.fromEntries((await hub.request('GET', '/api/worklists', { as })).body.lists.map((list: any) => [list.name, list.count]));

    it('asks a question: the specialist side sees it awaiting its answer, others do not see it at all', async () => {
      const { asked } = await ask();
      assert.equal(asked.status, 201, JSON.stringify(asked.body));
      assert.equal(asked.body.status, 'AWAITING_SPECIALIST');
      assert.equal(asked.body.receivingFacilityClientId, APP);
      assert.deepEqual(
        asked.body.messages.map((m: any) => [m.side, m.author]),
        [['requester', 'Practitioner/dr-smith']],
      );
      assert.deepEqual(asked.body.actions, ['message', 'close', 'convert', 'attach']);
      const seen = await hub.request('GET', `/api/advice-requests/${asked.body.id}`, { as: 'dr-patel' });
      assert.deepEqual(seen.body.actions, ['message', 'close', 'attach']);
      assert.equal((await hub.request('GET', `/api/advice-requests/${asked.body.id}`, { as: 'dr-other' })).status, 404);
      const listed = await hub.request('GET', '/api/advice-requests?side=specialist', { as: 'dr-patel' });
      assert.ok(listed.body.items.some((item: any) => item.id === asked.body.id));
    });

    it('shares patient data only with the patient’s consent for the specialist’s app', async () => {
      const refused = await ask({ sharedResourceTypes: ['Observation'] });
      assert.equal(refused.asked.status, 422);
      assert.equal(refused.asked.body.code, 'CONSENT_GATE_FAILED');
      assert.match(refused.asked.body.message, /^Cannot ask for advice — patient has not consented/);
      assert.deepEqual(refused.asked.body.missingResourceTypes, ['Observation']);
      const patientId = `Patient/advice-${engine.name}-consenting`;
      await grantConsent(hub, ['Observation'], patientId, APP);
      const allowed = await hub.request('POST', '/api/advice-requests', {
        as: 'dr-smith',
        body: question(patientId, { sharedResourceTypes: ['Observation'] }),
      });
      assert.equal(allowed.status, 201);
      assert.deepEqual(allowed.body.sharedResourceTypes, ['Observation']);
    });

    it('passes the turn with each message; the specialist may answer "please refer", the asker may not', async () => {
      const { asked } = await ask();
      const id = asked.body.id;
      const before = await counts('dr-patel');
      const answer = await say(id, 'dr-patel', { text: 'Repeat in 6 hours; if rising, please refer.', pleaseRefer: true });
      assert.equal(answer.status, 201);
      assert.equal(answer.body.status, 'AWAITING_REQUESTER');
      assert.equal(answer.body.pleaseRefer, true);
      assert.equal((await counts('dr-patel'))['advice-awaiting-answer'], before['advice-awaiting-answer'] - 1);
      const answered = await hub.request('GET', '/api/worklists/advice-answered', { as: 'dr-smith' });
      assert.equal(answered.body.kind, 'advice-requests');
      assert.ok(answered.body.items.some((item: any) => item.id === id));

      const pretend = await say(id, 'dr-smith', { text: 'I think so too', pleaseRefer: true });
      assert.equal(pretend.status, 400);
      assert.equal(pretend.body.field, 'body.pleaseRefer');
      const reply = await say(id, 'dr-smith', { text: 'Repeat was 52. Referring.' });
      assert.equal(reply.body.status, 'AWAITING_SPECIALIST');
      assert.deepEqual(
        reply.body.messages.map((m: any) => m.side),
        ['requester', 'specialist', 'requester'],
      );
    });

    it('converts into a draft referral that keeps the conversation; the conversation then takes no more messages', async () => {
      const { asked, patientId } = await ask();
      const id = asked.body.id;
      await say(id, 'dr-patel', { text: 'Please refer.', pleaseRefer: true });
      assert.equal(
        (await hub.request('POST', `/api/advice-requests/${id}/convert`, { as: 'dr-patel', body: { referralCode: '183519002', priority: 'URGENT' } })).status,
        403,
      );
      const noTypes = await hub.request('POST', `/api/advice-requests/${id}/convert`, {
        as: 'dr-smith',
        body: { referralCode: '183519002', priority: 'URGENT' },
      });
      assert.equal(noTypes.status, 400);
      assert.equal(noTypes.body.field, 'body.sharedResourceTypes');

      const converted = await hub.request('POST', `/api/advice-requests/${id}/convert`, {
        as: 'dr-smith',
        body: { referralCode: '183519002', priority: 'URGENT', sharedResourceTypes: ['Observation'], clinicalNote: 'Rising troponin' },
      });
      assert.equal(converted.status, 201, JSON.stringify(converted.body));
      assert.equal(converted.body.status, 'DRAFT');
      assert.equal(converted.body.adviceRequestId, id);
      assert.equal(converted.body.patientId, patientId);
      assert.equal(converted.body.performerId, 'Organization/royal-london-cardiology');
      const conversation = (await hub.request('GET', `/api/advice-requests/${id}`, { as: 'dr-smith' })).body;
      assert.deepEqual([conversation.status, conversation.referralId, conversation.actions], ['CONVERTED', converted.body.id, []]);
      const late = await say(id, 'dr-patel', { text: 'Any news?' });
      assert.equal(late.status, 409);
      const history = await hub.request('GET', `/api/referrals/${converted.body.id}/history`, { as: 'dr-smith' });
      assert.equal(history.body[0].action, 'referral.create');
    });

    it('closes when answered, by either side', async () => {
      const { asked } = await ask();
      await say(asked.body.id, 'dr-patel', { text: 'No referral needed: repeat in primary care.' });
      const closed = await hub.request('POST', `/api/advice-requests/${asked.body.id}/close`, { as: 'dr-smith' });
      assert.equal(closed.body.status, 'CLOSED');
      assert.deepEqual(closed.body.actions, ['convert']);
      assert.equal((await hub.request('POST', `/api/advice-requests/${asked.body.id}/close`, { as: 'dr-patel' })).status, 409);
    });

    it('takes files from either side while open, with consent to share documents with the specialist’s app; downloads audited', async () => {
      const { asked, patientId } = await ask();
      const id = asked.body.id;
      const attach = (as: 'dr-smith' | 'dr-patel' | 'dr-other') =>
        hub.request('POST', `/api/advice-requests/${id}/attachments`, { as, form: pdfUpload('ecg.pdf') });
      const refused = await attach('dr-smith');
      assert.equal(refused.status, 422);
      assert.deepEqual(refused.body.missingResourceTypes, ['DocumentReference']);
      await grantConsent(hub, ['DocumentReference'], patientId, APP);
      const added = await attach('dr-smith');
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.deepEqual([added.body.adviceRequestId, added.body.referralId, added.body.fileName], [id, null, 'ecg.pdf']);
      assert.equal((await attach('dr-other')).status, 404);
      const listed = await hub.request('GET', `/api/advice-requests/${id}/attachments`, { as: 'dr-patel' });
      assert.deepEqual(
        listed.body.map((a: any) => a.id),
        [added.body.id],
      );
      const download = await hub.request('GET', `/api/advice-requests/${id}/attachments/${added.body.id}`, { as: 'dr-patel' });
      assert.equal(download.status, 200);
      assert.match(download.body, /^%PDF-/);
      assert.equal((await hub.request('GET', `/api/advice-requests/${id}/attachments/${added.body.id}`, { as: 'dr-other' })).status, 404);
      assert.equal((await hub.request('GET', `/api/referrals/${id}/attachments/${added.body.id}`, { as: 'dr-smith' })).status, 404, 'not a referral’s');

      await drainMirror(hub);
      const document = await hub.request('GET', `/fhir/DocumentReference/attachment-${added.body.id}`, { as: 'dr-patel' });
      assert.equal(document.status, 200);
      assert.equal(document.body.context.related[0].reference, `CommunicationRequest/advice-request-${id}`);
      assert.equal(document.body.subject.reference, patientId);
      assert.equal((await hub.request('GET', `/fhir/DocumentReference/attachment-${added.body.id}`, { as: 'dr-other' })).status, 404);

      await hub.request('POST', `/api/advice-requests/${id}/close`, { as: 'dr-patel' });
      assert.equal((await attach('dr-smith')).status, 409, 'a closed conversation takes no more files');
    });

    it('mirrors the conversation as a CommunicationRequest and Communications in reply to each other, readable by its sides on /fhir', async () => {
      const { asked } = await ask();
      const id = asked.body.id;
      const answer = await say(id, 'dr-patel', { text: 'Please refer.', pleaseRefer: true });
      const converted = await hub.request('POST', `/api/advice-requests/${id}/convert`, {
        as: 'dr-smith',
        body: { referralCode: '183519002', priority: 'URGENT', sharedResourceTypes: ['Observation'] },
      });
      await drainMirror(hub);
      const read = (path: string, as: 'admin' | 'dr-patel' | 'dr-other' = 'admin') => hub.request('GET', `/fhir/${path}`, { as });
      const request = (await read(`CommunicationRequest/advice-request-${id}`)).body;
      assert.equal(request.status, 'completed');
      assert.equal(request.recipient[0].reference, 'Organization/royal-london-cardiology');
      const [first, second] = answer.body.messages;
      const reply = (await read(`Communication/advice-message-${second.id}`, 'dr-patel')).body;
      assert.equal(reply.basedOn[0].reference, `CommunicationRequest/advice-request-${id}`);
      assert.equal(reply.inResponseTo[0].reference, `Communication/advice-message-${first.id}`);
      assert.deepEqual(
        reply.category.map((c: any) => c.coding[0].code),
        ['advice-and-guidance', 'please-refer'],
      );
      assert.equal(reply.payload[0].contentString, 'Please refer.');
      assert.equal((await read(`Communication/advice-message-${second.id}`, 'dr-other')).status, 404);
      const serviceRequest = (await read(`ServiceRequest/referral-${converted.body.id}`)).body;
      assert.deepEqual(serviceRequest.supportingInfo, [{ reference: `CommunicationRequest/advice-request-${id}` }]);
    });
  });
}
