// Attachments on a referral: letters, PDFs and images added by either side while it is open, listed
// and downloaded by its parties, every addition and download audited on the referral's chain. Once a
// referral is sent, its receiving app is given its attachments, so adding one needs the patient's
// consent to share DocumentReference with that app.
import { notFound } from '../../platform/errors.js';
import { pendingAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { visibleReferral } from './access.js';
import { currentTask, permitAction } from './actions.js';
import { readReferralState, type ReferralChange, type ReferralState } from './change-repo.js';
import { changeReferral } from './changes.js';
import type { ReferralDeps } from './deps.js';
import type { AttachmentView } from './schemas.js';
import { refuseWithoutConsent, typesShared } from './sharing.js';
import type { AttachmentRow } from './tables.js';
import { attachmentColumns, uploadAudit, type UploadedFile } from './uploads.js';

export function createAttachmentUseCases(deps: ReferralDeps) {
  const { db, clock, consentGate, attachments: store } = deps;

  /** Refuses before the file is read when the caller may not attach to the referral (or its receiver may not be given one). */
  async function assertMayAttach(caller: Caller, id: number): Promise<void> {
    const state = await readState(id);
    await judgeAttach(caller, id, state);
  }

  async function attachFile(caller: Caller, id: number, file: UploadedFile, description?: string): Promise<AttachmentView> {
    await store.put(file.sha256, file.bytes);
    const written = await changeReferral(db, clock, id, async (state) => {
      await judgeAttach(caller, id, state);
      return addition(caller, id, file, description);
    });
    return toAttachmentView(written.attachment!);
  }

  async function judgeAttach(caller: Caller, id: number, state: ReferralState | undefined): Promise<void> {
    const referral = visibleReferral(caller, state?.referral, id);
    permitAction(caller, 'attach', { referral, task: currentTask(state!.tasks) });
    if (referral.status === 'DRAFT') return;
    const shared = typesShared(referral, state!.attachments + 1);
    const consent = await consentGate.evaluate({ patientId: referral.patient_id, clientId: referral.receiving_facility_client_id, resourceTypes: shared });
    if (consent.decision !== 'permit') {
      await refuseWithoutConsent(deps, caller, referral, { action: 'attachment.add', clientId: referral.receiving_facility_client_id, consent });
    }
  }

  function addition(caller: Caller, id: number, file: UploadedFile, description?: string): ReferralChange {
    const added = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: 'attachment.add',
      outcome: 'success',
      entityType: 'Referral',
      entityId: id,
      referralId: id,
      detail: uploadAudit(file),
    });
    return { attachment: attachmentColumns(caller, file, description), events: [added] };
  }

  async function listAttachments(caller: Caller, id: number): Promise<AttachmentView[]> {
    visibleReferral(caller, (await readState(id))?.referral, id);
    const rows = await db.selectFrom('attachment').selectAll().where('referral_id', '=', id).orderBy('id').execute();
    return rows.map(toAttachmentView);
  }

  /** The attachment's content for a party of the referral; the download is audited before the bytes are sent. */
  async function downloadAttachment(caller: Caller, id: number, attachmentId: number): Promise<{ attachment: AttachmentView; bytes: Uint8Array }> {
    const row = await db.selectFrom('attachment').selectAll().where('id', '=', attachmentId).where('referral_id', '=', id).executeTakeFirst();
    await changeReferral(db, clock, id, (state) => {
      visibleReferral(caller, state?.referral, id);
      if (!row) throw notFound(`Attachment ${attachmentId} of referral ${id}`);
      const downloaded = pendingAuditEvent(clock, {
        actor: caller.sub,
        action: 'attachment.download',
        outcome: 'success',
        entityType: 'Referral',
        entityId: id,
        referralId: id,
        detail: { attachmentId, sha256: row.sha256 },
      });
      return { events: [downloaded] };
    });
    const bytes = await store.get(row!.sha256);
    if (!bytes) throw new Error(`The content of attachment ${attachmentId} is missing from the store`);
    return { attachment: toAttachmentView(row!), bytes };
  }

  const readState = (id: number) => readReferralState(db, id, { drawTaskId: false });

  return { assertMayAttach, attachFile, listAttachments, downloadAttachment };
}

export function toAttachmentView(row: AttachmentRow): AttachmentView {
  return {
    id: row.id,
    referralId: row.referral_id,
    adviceRequestId: row.advice_request_id,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    description: row.description,
    author: row.author,
    uploadedAt: row.uploaded_at.toISOString(),
  };
}
