// Attachments over real HTTP on every engine: uploaded as multipart, checked on their bytes and held to
// the size cap, shared with the receiving app only with the patient's consent for DocumentReference,
// downloaded by the referral's parties (each download audited), and mirrored to FHIR.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, drainMirror, grantConsent, pdfUpload, startHarness, type Harness } from '../../../test/support/harness.js';

const TYPES = ['Observation', 'Condition', 'DiagnosticReport'];
const APP = 'royal-london-cardiology-smart';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

for (const engine of testEngines()) {
  describe(`attachments on ${engine.name}`, () => {
    let hub: Harness;
    let patients = 0;
    before(async () => {
      hub = await startHarness(engine, { config: { attachmentMaxBytes: 4096 } });
    });
    after(() => hub.close());

    const newPatient = () => `Patient/attach-${engine.name}-${++patients}`;
    const upload = (id: number, form: FormData, as: 'dr-smith' | 'dr-patel' | 'dr-other' = 'dr-smith') =>
      hub.request('POST', `/api/referrals/${id}/attachments`, { as, form });
    const file = (bytes: Buffer, type: string, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
      return form;
    };

    it('attaches a letter to a draft and sends it only once the patient consents to share DocumentReference too', async () => {
      const patientId = newPatient();
      await grantConsent(hub, TYPES, patientId, APP);
      const id = await createDraft(hub, { patientId });
      const form = new FormData();
      form.append('description', 'GP referral letter');
      form.append('file', new Blob(['%PDF-1.4\n% letter\n%%EOF\n'], { type: 'application/pdf' }), 'letter.pdf');
      const added = await upload(id, form);
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.deepEqual([added.body.fileName, added.body.contentType, added.body.description], ['letter.pdf', 'application/pdf', 'GP referral letter']);
      assert.equal(added.body.sha256, createHash('sha256').update('%PDF-1.4\n% letter\n%%EOF\n').digest('hex'));

      const refused = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(refused.status, 422);
      assert.deepEqual(refused.body.missingResourceTypes, ['DocumentReference']);
      await grantConsent(hub, ['DocumentReference'], patientId, APP);
      assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);

      const listed = await hub.request('GET', `/api/referrals/${id}/attachments`, { as: 'dr-patel' });
      assert.deepEqual(
        listed.body.map((attachment: any) => attachment.fileName),
        ['letter.pdf'],
      );
      const download = await hub.request('GET', `/api/referrals/${id}/attachments/${added.body.id}`, { as: 'dr-patel' });
      assert.equal(download.status, 200);
      assert.equal(download.headers.get('content-type'), 'application/pdf');
      assert.match(download.headers.get('content-disposition')!, /letter\.pdf/);
      assert.equal(download.body, '%PDF-1.4\n% letter\n%%EOF\n');
      const history = (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body;
      const downloaded = history.filter((event: any) => event.action === 'attachment.download');
      assert.deepEqual(
        downloaded.map((event: any) => [event.actor, event.detail.attachmentId]),
        [['dr-patel', added.body.id]],
      );
    });

    it('refuses an attachment on a sent referral without consent for DocumentReference: 422, nothing attached', async () => {
      const patientId = newPatient();
      await grantConsent(hub, TYPES, patientId, APP);
      const id = await createDraft(hub, { patientId });
      await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      const refused = await upload(id, pdfUpload(), 'dr-patel');
      assert.equal(refused.status, 422);
      assert.equal(refused.body.code, 'CONSENT_GATE_FAILED');
      assert.match(refused.body.message, /^Cannot add the attachment — patient has not consented/);
      assert.deepEqual((await hub.request('GET', `/api/referrals/${id}/attachments`, { as: 'dr-smith' })).body, []);
    });

    it('checks the type on the bytes and holds the size to the cap, naming the file', async () => {
      const id = await createDraft(hub, { patientId: newPatient() });
      const disguised = await upload(id, file(PNG, 'application/pdf', 'scan.pdf'));
      assert.equal(disguised.status, 415);
      assert.match(disguised.body.message, /scan\.pdf was sent as application\/pdf but its content is a PNG image/);
      const script = await upload(id, file(Buffer.from('<script>alert(1)</script>'), 'text/html', 'x.html'));
      assert.equal(script.status, 415);
      const big = await upload(id, file(Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 32)]), 'application/pdf', 'big.pdf'));
      assert.equal(big.status, 413);
      assert.match(big.body.message, /big\.pdf is larger than the 4096 bytes/);
      const json = await hub.request('POST', `/api/referrals/${id}/attachments`, { as: 'dr-smith', body: { file: 'x' } });
      assert.equal(json.status, 415);
      assert.equal((await upload(id, file(PNG, 'image/png', 'ecg.png'))).status, 201);
      assert.deepEqual(
        (await hub.request('GET', `/api/referrals/${id}/attachments`, { as: 'dr-smith' })).body.map((a: any) => a.fileName),
        ['ecg.png'],
      );
    });

    it('keeps attachments from those who may not see the referral, and from a finished one', async () => {
      const patientId = newPatient();
      const id = await createDraft(hub, { patientId });
      const added = await upload(id, pdfUpload());
      assert.equal((await upload(id, pdfUpload(), 'dr-other')).status, 404);
      assert.equal((await hub.request('GET', `/api/referrals/${id}/attachments/${added.body.id}`, { as: 'dr-other' })).status, 404);
      assert.equal(
        (await hub.request('GET', `/api/referrals/${id}/attachments/${added.body.id}`, { as: 'dr-patel' })).status,
        404,
        'a draft is not yet theirs',
      );
      await hub.request('POST', `/api/referrals/${id}/revoke`, { as: 'dr-smith' });
      const late = await upload(id, pdfUpload());
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'ACTION_NOT_AVAILABLE');
    });

    it('mirrors an attachment as a DocumentReference and its Binary, listed in the ServiceRequest’s supportingInfo', async () => {
      const patientId = newPatient();
      await grantConsent(hub, [...TYPES, 'DocumentReference'], patientId, APP);
      const id = await createDraft(hub, { patientId });
      const added = await upload(id, pdfUpload('discharge.pdf'));
      await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      await drainMirror(hub);
      const fhir = (path: string) => hub.request('GET', `/fhir/${path}`, { as: 'admin' });
      const document = (await fhir(`DocumentReference/attachment-${added.body.id}`)).body;
      assert.equal(document.subject.reference, patientId);
      assert.equal(document.content[0].attachment.url, `Binary/attachment-${added.body.id}`);
      assert.equal(document.context.related[0].reference, `ServiceRequest/referral-${id}`);
      const binary = (await fhir(`Binary/attachment-${added.body.id}`)).body;
      assert.equal(Buffer.from(binary.data, 'base64').toString(), '%PDF-1.4\n% Referral letter\n%%EOF\n');
      const request = (await fhir(`ServiceRequest/referral-${id}`)).body;
      assert.deepEqual(request.supportingInfo, [{ reference: `DocumentReference/attachment-${added.body.id}` }]);
      const asReceiver = await hub.request('GET', `/fhir/DocumentReference/attachment-${added.body.id}`, { as: 'dr-patel' });
      assert.equal(asReceiver.status, 200);
      assert.equal((await hub.request('GET', `/fhir/DocumentReference/attachment-${added.body.id}`, { as: 'dr-other' })).status, 404);
    });
  });
}
