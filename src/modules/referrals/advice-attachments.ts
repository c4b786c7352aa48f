// Files on an advice request: a letter or an image the specialist is asked about, attached by either
// side while the conversation is open. The specialist's app is given them, so attaching one needs the
// patient's consent to share DocumentReference with it; each addition and download is audited on the
// conversation's chain.
import { notFound } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import type { Caller } from '../identity/caller.js';
import { conversationChanges, permitAdviceAction, visibleConversation } from './advice-changes.js';
import { findAdviceAttachments, findConversation, insertAdviceAttachment, updateAdviceRequest } from './advice-repo.js';
import { toAttachmentView } from './attachments.js';
import type { ReferralDeps } from './deps.js';
import type { AttachmentView } from './schemas.js';
import { consentRefusal } from './sharing.js';
import type { AttachmentRow } from './tables.js';
import { attachmentColumns, uploadAudit, type UploadedFile } from './uploads.js';

export function createAdviceAttachmentUseCases(deps: ReferralDeps) {
  const { db, consentGate, attachments: store } = deps;
  const { changeConversation, audit } = conversationChanges(deps);

  /** Refuses before the file is read when the caller may not attach, or the patient has not consented to share documents with the specialist's app. */
  async function assertMayAttachToAdvice(caller: Caller, id: number): Promise<void> {
    const { request } = permitAdviceAction(caller, await findConversation(db, id), id, 'attach');
    const clientId = request.receiving_facility_client_id;
    const consent = await consentGate.evaluate({ patientId: request.patient_id, clientId, resourceTypes: ['DocumentReference'] });
    if (consent.decision !== 'permit') throw consentRefusal(['DocumentReference'], clientId, 'add the attachment');
  }

  async function attachFileToAdvice(caller: Caller, id: number, file: UploadedFile, description?: string): Promise<AttachmentView> {
    await assertMayAttachToAdvice(caller, id);
    await store.put(file.sha256, file.bytes);
    let added: AttachmentRow | undefined;
    await changeConversation(caller, id, 'attach', async (tx, side, to, at) => {
      added = await insertAdviceAttachment(tx, { ...attachmentColumns(caller, file, description), advice_request_id: id, uploaded_at: at });
      const request = await updateAdviceRequest(tx, id, { status: to }, at);
      await audit(tx, caller, request, 'attachment.add', { side, attachmentId: added.id, ...uploadAudit(file) });
      return { request, added: [] };
    });
    return toAttachmentView(added!);
  }

  async function listAdviceAttachments(caller: Caller, id: number): Promise<AttachmentView[]> {
    visibleConversation(caller, await findConversation(db, id), id);
    return (await findAdviceAttachments(db, id)).map(toAttachmentView);
  }

  /** The content for either side; the download is audited before the bytes are sent. */
  async function downloadAdviceAttachment(caller: Caller, id: number, attachmentId: number): Promise<{ attachment: AttachmentView; bytes: Uint8Array }> {
    const row = await inTransaction(db, async (tx) => {
      const { request } = visibleConversation(caller, await findConversation(tx, id), id);
      const found = (await findAdviceAttachments(tx, id)).find((attachment) => attachment.id === attachmentId);
      if (!found) throw notFound(`Attachment ${attachmentId} of advice request ${id}`);
      await audit(tx, caller, request, 'attachment.download', { attachmentId, sha256: found.sha256 });
      return found;
    });
    const bytes = await store.get(row.sha256);
    if (!bytes) throw new Error(`The content of attachment ${attachmentId} is missing from the store`);
    return { attachment: toAttachmentView(row), bytes };
  }

  return { assertMayAttachToAdvice, attachFileToAdvice, listAdviceAttachments, downloadAdviceAttachment };
}
