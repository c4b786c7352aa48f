// How a referral and its task look on the FHIR server: an R4 ServiceRequest and Task, with stable ids
// derived from ours so that every delivery of a record is an idempotent PUT of the same resource.
import { fhirIdOf } from '../vocabulary/fhir-ids.js';
import type { Annotation, Binary, CodeableConcept, DocumentReference, ServiceRequest, Task, TaskOutput } from '@medplum/fhirtypes';
import { fhirCode, REJECTION_CODE_SYSTEM, REJECTION_DISPLAY, TASK_BUSINESS_STATUS_SYSTEM, type RejectionCode, type TaskOutcome } from './outcomes.js';
import type { AttachmentRow, ReferralRow } from './tables.js';
import { FHIR_PRIORITY, type Priority } from '../vocabulary/priority.js';
import type { ReferralStatus } from './states.js';
import type { TaskWithNotes } from './task-repo.js';
import { FHIR_TASK_STATUS, type TaskStatus } from './task-states.js';

export const SNOMED_CT = 'http://snomed.info/sct';
export const ICD_10 = 'http://hl7.org/fhir/sid/icd-10';

const SERVICE_REQUEST_STATUS: Record<ReferralStatus, ServiceRequest['status']> = {
  DRAFT: 'draft',
  ACTIVE: 'active',
  ON_HOLD: 'on-hold',
  REVOKED: 'revoked',
  COMPLETED: 'completed',
};

const serviceRequestId = (referralId: number) => fhirIdOf('referral', referralId);
const fhirTaskId = (taskId: number) => fhirIdOf('task', taskId);

const documentReferenceId = (attachmentId: number) => fhirIdOf('attachment', attachmentId);

/** The ServiceRequest of a referral; `baseUrl` names this instance in the business identifier; its attachments are its supporting information. */
export function toServiceRequest(row: ReferralRow, baseUrl: string, attachmentIds: number[] = []): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: serviceRequestId(row.id),
    identifier: [{ system: `${baseUrl}/referrals`, value: String(row.id) }],
    status: SERVICE_REQUEST_STATUS[row.status as ReferralStatus],
    intent: 'order',
    priority: FHIR_PRIORITY[row.priority as Priority],
    code: {
      coding: [{ system: SNOMED_CT, code: row.referral_code, ...(row.referral_display && { display: row.referral_display }) }],
      ...(row.referral_display && { text: row.referral_display }),
    },
    reasonCode: row.reason_codes.map((code) => ({ coding: [{ system: ICD_10, code }] })),
    subject: { reference: row.patient_id },
    requester: { reference: row.requester_id },
    performer: [{ reference: row.performer_id }],
    ...(row.occurrence_date && { occurrenceDateTime: row.occurrence_date }),
    ...(row.authored_on && { authoredOn: row.authored_on.toISOString() }),
    ...(row.clinical_note && { note: [{ text: row.clinical_note }] }),
    ...supportingInfoOf(row, attachmentIds),
  };
}

/** What supports a referral: the advice conversation it was converted from, and its attachments. */
function supportingInfoOf(row: ReferralRow, attachmentIds: number[]): Pick<ServiceRequest, 'supportingInfo'> {
  const conversation = row.advice_request_id ? [{ reference: `CommunicationRequest/${fhirIdOf('advice', row.advice_request_id)}` }] : [];
  const supporting = [...conversation, ...attachmentIds.map((id) => ({ reference: `DocumentReference/${documentReferenceId(id)}` }))];
  return supporting.length > 0 ? { supportingInfo: supporting } : {};
}

/**
 * The DocumentReference of an attachment: about the referral's patient, related to its ServiceRequest,
 * its content in the Binary of the same id. The SHA-256 is its identifier as a Named Information URI
 * (RFC 6920), since R4's Attachment.hash is SHA-1.
 */
export function toDocumentReference(attachment: AttachmentRow, patientId: string): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id: documentReferenceId(attachment.id),
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `ni:///sha-256;${Buffer.from(attachment.sha256, 'hex').toString('base64url')}` }],
    status: 'current',
    subject: { reference: patientId },
    date: attachment.uploaded_at.toISOString(),
    author: [authorReference(attachment.author)],
    ...(attachment.description && { description: attachment.description }),
    content: [
      {
        attachment: {
          contentType: attachment.content_type,
          url: `Binary/${documentReferenceId(attachment.id)}`,
          size: attachment.size_bytes,
          title: attachment.file_name,
          creation: attachment.uploaded_at.toISOString(),
        },
      },
    ],
    context: { related: [{ reference: relatedTo(attachment) }] },
  };
}

/** What an attachment is about: its referral's ServiceRequest, or its advice request's CommunicationRequest. */
const relatedTo = (attachment: AttachmentRow) =>
  attachment.referral_id !== null
    ? `ServiceRequest/${serviceRequestId(attachment.referral_id)}`
    : `CommunicationRequest/${fhirIdOf('advice', attachment.advice_request_id!)}`;

/** The content of an attachment, readable as its DocumentReference is. */
export function toBinary(attachment: AttachmentRow, bytes: Uint8Array): Binary {
  const id = documentReferenceId(attachment.id);
  return {
    resourceType: 'Binary',
    id,
    contentType: attachment.content_type,
    securityContext: { reference: `DocumentReference/${id}` },
    data: Buffer.from(bytes).toString('base64'),
  };
}

/** The Task of a referral task: its focus is the referral's ServiceRequest, its notes kept in order. */
export function toFhirTask(task: TaskWithNotes, referral: ReferralRow): Task {
  return {
    resourceType: 'Task',
    id: fhirTaskId(task.id),
    status: FHIR_TASK_STATUS[task.status as TaskStatus] as Task['status'],
    intent: 'order',
    priority: FHIR_PRIORITY[referral.priority as Priority],
    focus: { reference: `ServiceRequest/${serviceRequestId(referral.id)}` },
    for: { reference: referral.patient_id },
    requester: { reference: task.requester_id },
    owner: { reference: task.owner_id },
    businessStatus: businessStatusOf(task),
    ...(task.rejection_reason && { statusReason: rejectionOf(task) }),
    authoredOn: task.created_at.toISOString(),
    lastModified: task.updated_at.toISOString(),
    ...(task.notes.length > 0 && { note: task.notes.map((note) => toAnnotation(note.author, note.created_at, note.text)) }),
    ...(task.status === 'COMPLETED' && { output: outputOf(task) }),
  };
}

/** Where the task stands in the referral's business: its outcome where it has one, else its status in words. */
const BUSINESS_STATUS: Record<TaskStatus, string> = {
  REQUESTED: 'Awaiting receipt',
  RECEIVED: 'Awaiting triage',
  ACCEPTED: 'Accepted, awaiting appointment',
  INPROGRESS: 'In progress',
  COMPLETED: 'Service provided',
  REJECTED: 'Rejected',
  CANCELLED: 'Cancelled',
};

const OUTCOME_DISPLAY: Record<TaskOutcome, string> = {
  RETURNED_WITH_ADVICE: 'Returned to the referrer with advice',
  REDIRECTED: 'Redirected by the referrer',
  FORWARDED: 'Forwarded to another organisation',
  REVOKED: 'Referral revoked',
};

function businessStatusOf(task: TaskWithNotes): CodeableConcept {
  const outcome = task.outcome as TaskOutcome | null;
  const code = outcome ?? (task.status as TaskStatus);
  const display = outcome ? OUTCOME_DISPLAY[outcome] : BUSINESS_STATUS[task.status as TaskStatus];
  return { coding: [{ system: TASK_BUSINESS_STATUS_SYSTEM, code: fhirCode(code), display }], text: display };
}

/** Why the receiver rejected the referral: the coded reason and its own words. */
function rejectionOf(task: TaskWithNotes): CodeableConcept {
  const code = (task.rejection_code ?? 'OTHER') as RejectionCode;
  return { coding: [{ system: REJECTION_CODE_SYSTEM, code: fhirCode(code), display: REJECTION_DISPLAY[code] }], text: task.rejection_reason! };
}

/** What a completed task carries back to the referrer: its outcome, and the advice when it was returned with advice (its last note). */
function outputOf(task: TaskWithNotes): TaskOutput[] {
  const outcome = businessStatusOf(task);
  const advice = task.outcome === 'RETURNED_WITH_ADVICE' ? task.notes.at(-1)?.text : undefined;
  return [{ type: { text: 'outcome' }, valueCodeableConcept: outcome }, ...(advice ? [{ type: { text: 'advice' }, valueString: advice }] : [])];
}

function toAnnotation(author: string, time: Date, text: string): Annotation {
  return { ...authorOf(author), time: time.toISOString(), text };
}

const authorReference = (author: string) => ('authorReference' in authorOf(author) ? { reference: author } : { display: author });

/** Notes by a FHIR user name them by reference; others (an admin's account) by name. */
function authorOf(author: string): Pick<Annotation, 'authorReference'> | Pick<Annotation, 'authorString'> {
  return /^(Practitioner|Patient|RelatedPerson|Organization)\/[A-Za-z0-9\-.]{1,64}$/.test(author)
    ? { authorReference: { reference: author } }
    : { authorString: author };
}
