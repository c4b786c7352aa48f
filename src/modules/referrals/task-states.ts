// The ReferralTask lifecycle, after the FHIR R4 Task state machine (hl7.org/fhir/R4/task.html#statemachine):
// requested → received → accepted → in-progress → completed, with rejection before acceptance and
// cancellation (by the sender's revoke) of any task not yet finished.
import { invalidTransition } from '../../platform/errors.js';

export const TASK_STATUSES = ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED', 'REJECTED', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const TASK_MOVES: Record<TaskStatus, readonly TaskStatus[]> = {
  REQUESTED: ['RECEIVED', 'ACCEPTED', 'REJECTED', 'CANCELLED'],
  RECEIVED: ['ACCEPTED', 'REJECTED', 'CANCELLED'],
  ACCEPTED: ['INPROGRESS', 'CANCELLED'],
  INPROGRESS: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
};

/** The statuses the receiving facility may set with PATCH; CANCELLED comes only from a revoke. */
export const FACILITY_TASK_STATUSES = ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED', 'REJECTED'] as const;

export function isOpenTask(status: TaskStatus): boolean {
  return TASK_MOVES[status].length > 0;
}

/** The statuses a task ends in: nothing moves on from them. */
export const CLOSED_TASK_STATUSES = TASK_STATUSES.filter((status) => !isOpenTask(status));

/** Returns `to` when a task may move there from `from`; 409 INVALID_TRANSITION otherwise. */
export function taskTransition(from: TaskStatus, to: TaskStatus): TaskStatus {
  if (!TASK_MOVES[from].includes(to)) throw invalidTransition('Task', from, to);
  return to;
}

/** A task its receiver has not accepted yet: the referral may still move to another organisation. */
export const UNACCEPTED_TASK_STATUSES: readonly TaskStatus[] = ['REQUESTED', 'RECEIVED'];

/** Where a receiver may answer with advice instead of seeing the patient; the task then ends COMPLETED. */
export const ADVISABLE_TASK_STATUSES: readonly TaskStatus[] = ['RECEIVED', 'ACCEPTED'];

/** FHIR R4 Task.status codes. */
export const FHIR_TASK_STATUS: Record<TaskStatus, string> = {
  REQUESTED: 'requested',
  RECEIVED: 'received',
  ACCEPTED: 'accepted',
  INPROGRESS: 'in-progress',
  COMPLETED: 'completed',
  REJECTED: 'rejected',
  CANCELLED: 'cancelled',
};
