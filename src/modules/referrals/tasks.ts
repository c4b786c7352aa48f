// The receiving facility works a referral through its task: received, accepted, in progress,
// completed or rejected. Completion completes the referral; every note is kept with author and time.
import { AppError, notFound, referralOnHold, validationFailed } from '../../platform/errors.js';
import type { ReferralRow } from './tables.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { pendingAuditEvent, type PendingAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, visibleReferral } from './access.js';
import type { ReferralChange, ReferralState } from './change-repo.js';
import { changeReferral } from './changes.js';
import type { ReferralDeps } from './deps.js';
import type { TaskView, UpdateTaskInput } from './schemas.js';
import { referralTransition, type ReferralStatus } from './states.js';
import { taskTransition, type TaskStatus } from './task-states.js';
import { findReferralWithTasks } from './task-repo.js';
import { toTaskView } from './views.js';

export function createTaskUseCases({ db, clock }: ReferralDeps) {
  async function listTasks(caller: Caller, referralId: number): Promise<TaskView[]> {
    const found = await findReferralWithTasks(db, referralId);
    visibleReferral(caller, found?.referral, referralId);
    return found!.tasks.map(toTaskView);
  }

  async function updateReferralTask(caller: Caller, referralId: number, taskId: number, input: UpdateTaskInput, ifMatch?: string): Promise<TaskView> {
    assertTaskUpdate(input);
    const written = await changeReferral(db, clock, referralId, (state) => judgeTaskUpdate({ caller, referralId, taskId, input, ifMatch }, state));
    return toTaskView(written.tasks.find((task) => task.id === taskId)!);
  }

  /** The receiving side moves the task (or notes it) while the referral is not on hold; completing it completes the referral. */
  function judgeTaskUpdate(request: TaskUpdateRequest, state: ReferralState | undefined): ReferralChange {
    const { caller, referralId, taskId, input } = request;
    const referral = visibleReferral(caller, state?.referral, referralId);
    const task = state!.tasks.find((candidate) => candidate.id === taskId);
    if (!task) throw missingTask(caller, referral, taskId);
    assertSide(caller, referral, ['receiving'], 'update the task of');
    assertIfMatch(request.ifMatch, task.version);
    if (referral.status === 'ON_HOLD') throw referralOnHold();
    const from = task.status as TaskStatus;
    const to = input.status ? taskTransition(from, input.status) : from;
    const completes = to === 'COMPLETED' && from !== 'COMPLETED';
    const taskEvent = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: to === from ? 'task.note' : 'task.update',
      outcome: 'success',
      entityType: 'ReferralTask',
      entityId: task.id,
      referralId,
      detail: { from, to, noteAdded: Boolean(input.note) },
    });
    const completion = completes ? completionOf(caller, referral) : undefined;
    return {
      tasks: [{ id: task.id, status: to, rejectionReason: to === 'REJECTED' ? input.rejectionReason! : null }],
      notes: input.note ? [{ taskId: task.id, author: caller.fhirUser ?? caller.sub, status: to, text: input.note }] : [],
      referral: completion?.patch,
      events: completion ? [taskEvent, completion.event] : [taskEvent],
    };
  }

  /** A completed task completes its referral (workflow guide, step 4), audited after the task's event. */
  function completionOf(caller: Caller, referral: ReferralRow): { patch: { status: ReferralStatus }; event: PendingAuditEvent } {
    const to = referralTransition(referral.status as ReferralStatus, 'complete');
    const event = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: 'referral.complete',
      outcome: 'success',
      entityType: 'Referral',
      entityId: referral.id,
      referralId: referral.id,
      detail: { from: referral.status, to },
    });
    return { patch: { status: to }, event };
  }

  return { listTasks, updateReferralTask };
}

/** A task the referral does not have: 404 to its receiving side, 403 to anyone else who sees the referral. */
function missingTask(caller: Caller, referral: ReferralRow, taskId: number): AppError {
  assertSide(caller, referral, ['receiving'], 'update the task of');
  return notFound(`Task ${taskId} of referral ${referral.id}`);
}

interface TaskUpdateRequest {
  caller: Caller;
  referralId: number;
  taskId: number;
  input: UpdateTaskInput;
  ifMatch?: string;
}

/** A rejection needs its reason; a reason needs a rejection; an update needs a status or a note. */
function assertTaskUpdate(input: UpdateTaskInput): void {
  if (input.status === 'REJECTED' && !input.rejectionReason) throw validationFailed('body.rejectionReason', 'is required when status is REJECTED');
  if (input.rejectionReason && input.status !== 'REJECTED') throw validationFailed('body.rejectionReason', 'is only accepted with status REJECTED');
  if (!input.status && !input.note) throw validationFailed('body.status', 'give a status, a note, or both');
}
