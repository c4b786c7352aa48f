// The receiving facility works a referral through its task: received, accepted, in progress,
// completed or rejected. Completion completes the referral; every note is kept with author and time.
import { AppError, notFound, validationFailed } from '../../platform/errors.js';
import type { ReferralRow } from './tables.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { pendingAuditEvent, type PendingAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, sidesOf, visibleReferral } from './access.js';
import { tasksAsLeft } from './former-receivers.js';
import { currentTask, permitAction, TASK_MOVE_ACTIONS } from './actions.js';
import type { ReferralChange, ReferralState } from './change-repo.js';
import { changeReferral } from './changes.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralView, TaskView, UpdateTaskInput } from './schemas.js';
import type { ReferralOutcome } from './outcomes.js';
import type { ReferralPatch } from './repo.js';
import { referralTransition, type ReferralStatus } from './states.js';
import type { TaskStatus } from './task-states.js';
import { findReferralWithTasks } from './task-repo.js';
import { toReferralView, toTaskView } from './views.js';

export function createTaskUseCases({ db, clock }: ReferralDeps) {
  async function listTasks(caller: Caller, referralId: number): Promise<TaskView[]> {
    const found = await findReferralWithTasks(db, referralId);
    if (found && sidesOf(caller, found.referral).length === 0) {
      const left = await tasksAsLeft(db, caller, referralId);
      if (left) return left;
    }
    visibleReferral(caller, found?.referral, referralId);
    return found!.tasks.map(toTaskView);
  }

  async function updateReferralTask(caller: Caller, referralId: number, taskId: number, input: UpdateTaskInput, ifMatch?: string): Promise<TaskView> {
    assertTaskUpdate(input);
    const written = await changeReferral(db, clock, referralId, (state) => judgeTaskUpdate({ caller, referralId, taskId, input, ifMatch }, state));
    return toTaskView(written.tasks.find((task) => task.id === taskId)!);
  }

  /** The receiving side answers with advice instead of seeing the patient: the task and the referral complete with that outcome. */
  async function returnWithAdvice(caller: Caller, referralId: number, advice: string, ifMatch?: string): Promise<ReferralView> {
    const written = await changeReferral(db, clock, referralId, (state) => {
      const referral = visibleReferral(caller, state?.referral, referralId);
      const task = currentTask(state!.tasks);
      permitAction(caller, 'return-with-advice', { referral, task }, () => assertIfMatch(ifMatch, referral.version));
      const completion = completionOf(caller, referral, 'RETURNED_WITH_ADVICE');
      const returned = pendingAuditEvent(clock, {
        actor: caller.sub,
        action: 'task.return-with-advice',
        outcome: 'success',
        entityType: 'ReferralTask',
        entityId: task!.id,
        referralId,
        detail: { from: task!.status, to: 'COMPLETED', outcome: 'RETURNED_WITH_ADVICE' },
      });
      return {
        tasks: [{ id: task!.id, status: 'COMPLETED', outcome: 'RETURNED_WITH_ADVICE' }],
        notes: [{ taskId: task!.id, author: caller.fhirUser ?? caller.sub, status: 'COMPLETED', text: advice }],
        referral: completion.patch,
        events: [returned, completion.event],
      };
    });
    return toReferralView(written.referral, clock.now(), { caller, task: currentTask(written.tasks) });
  }

  /** The receiving side moves the task (or notes it) while the referral is not on hold; completing it completes the referral. */
  function judgeTaskUpdate(request: TaskUpdateRequest, state: ReferralState | undefined): ReferralChange {
    const { caller, referralId, taskId, input } = request;
    const referral = visibleReferral(caller, state?.referral, referralId);
    const task = state!.tasks.find((candidate) => candidate.id === taskId);
    if (!task) throw missingTask(caller, referral, taskId);
    const action = input.status ? TASK_MOVE_ACTIONS[input.status] : 'add-note';
    permitAction(caller, action, { referral, task }, () => assertIfMatch(request.ifMatch, task.version));
    const from = task.status as TaskStatus;
    const to = input.status ?? from;
    const completes = to === 'COMPLETED' && from !== 'COMPLETED';
    const taskEvent = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: to === from ? 'task.note' : 'task.update',
      outcome: 'success',
      entityType: 'ReferralTask',
      entityId: task.id,
      referralId,
      detail: { from, to, noteAdded: Boolean(input.note), ...(to === 'REJECTED' && { rejectionCode: input.rejectionCode ?? 'OTHER' }) },
    });
    const completion = completes ? completionOf(caller, referral) : undefined;
    return {
      tasks: [{ id: task.id, status: to, ...(to === 'REJECTED' && { rejection: { code: input.rejectionCode ?? 'OTHER', reason: input.rejectionReason! } }) }],
      notes: input.note ? [{ taskId: task.id, author: caller.fhirUser ?? caller.sub, status: to, text: input.note }] : [],
      referral: completion?.patch,
      events: completion ? [taskEvent, completion.event] : [taskEvent],
    };
  }

  /** A completed task completes its referral (workflow guide, step 4), audited after the task's event. */
  function completionOf(caller: Caller, referral: ReferralRow, outcome?: ReferralOutcome): { patch: ReferralPatch; event: PendingAuditEvent } {
    const to = referralTransition(referral.status as ReferralStatus, 'complete');
    const event = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: 'referral.complete',
      outcome: 'success',
      entityType: 'Referral',
      entityId: referral.id,
      referralId: referral.id,
      detail: { from: referral.status, to, ...(outcome && { outcome }) },
    });
    return { patch: { status: to, outcome: outcome ?? null }, event };
  }

  return { listTasks, updateReferralTask, returnWithAdvice };
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
  if (input.rejectionCode && input.status !== 'REJECTED') throw validationFailed('body.rejectionCode', 'is only accepted with status REJECTED');
  if (!input.status && !input.note) throw validationFailed('body.status', 'give a status, a note, or both');
}
