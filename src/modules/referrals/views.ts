// How referrals and tasks look to API clients: the guide's camelCase fields, FHIR codes beside ours,
// and whether a response is overdue at the moment of asking.
import type { ReferralRow } from './tables.js';
import { FHIR_PRIORITY, type Priority } from '../vocabulary/priority.js';
import type { ReferralView, TaskView } from './schemas.js';
import type { ReferralStatus } from './states.js';
import { FHIR_TASK_STATUS, type TaskStatus } from './task-states.js';
import type { TaskWithNotes } from './task-repo.js';
import type { Caller } from '../identity/caller.js';
import { actionsFor, type ActionTarget } from './actions.js';
import type { ReferralOutcome, RejectionCode, TaskOutcome } from './outcomes.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** A sent referral is overdue while still open past its response time. */
function isOverdue(row: ReferralRow, now: Date): boolean {
  const open = row.status === 'ACTIVE' || row.status === 'ON_HOLD';
  return open && row.response_due_at !== null && row.response_due_at.getTime() < now.getTime();
}

/** Who sees the referral, and its current task: what the view's `actions` are worked out for. */
export interface Viewer {
  caller: Caller;
  task?: ActionTarget['task'];
}

export function toReferralView(row: ReferralRow, now: Date, { caller, task }: Viewer): ReferralView {
  return {
    id: row.id,
    status: row.status as ReferralStatus,
    version: row.version,
    consentVerified: row.consent_verified,
    patientId: row.patient_id,
    requesterId: row.requester_id,
    performerId: row.performer_id,
    receivingFacilityClientId: row.receiving_facility_client_id,
    referralCode: row.referral_code,
    referralDisplay: row.referral_display,
    priority: row.priority as Priority,
    fhirPriority: FHIR_PRIORITY[row.priority as Priority],
    reasonCodes: row.reason_codes,
    clinicalNote: row.clinical_note,
    sharedResourceTypes: row.shared_resource_types,
    occurrenceDate: row.occurrence_date,
    sendingOrganisationId: row.sending_organisation_id,
    receivingOrganisationId: row.receiving_organisation_id,
    authoredOn: iso(row.authored_on),
    responseDueAt: iso(row.response_due_at),
    overdue: isOverdue(row, now),
    holdReason: row.hold_reason,
    revocationReason: row.revocation_reason,
    outcome: row.outcome as ReferralOutcome | null,
    adviceRequestId: row.advice_request_id,
    currentTask: task ? { id: task.id, status: task.status as TaskStatus } : null,
    actions: actionsFor(caller, { referral: row, task }),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toTaskView(task: TaskWithNotes): TaskView {
  return {
    id: task.id,
    referralId: task.referral_id,
    status: task.status as TaskStatus,
    fhirStatus: FHIR_TASK_STATUS[task.status as TaskStatus],
    version: task.version,
    ownerId: task.owner_id,
    requesterId: task.requester_id,
    rejectionReason: task.rejection_reason,
    rejectionCode: task.rejection_code as RejectionCode | null,
    outcome: task.outcome as TaskOutcome | null,
    notes: task.notes.map((note) => ({
      id: note.id,
      author: note.author,
      status: note.status as TaskStatus,
      text: note.text,
      createdAt: note.created_at.toISOString(),
    })),
    createdAt: task.created_at.toISOString(),
    updatedAt: task.updated_at.toISOString(),
  };
}
