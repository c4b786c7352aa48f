// The receiving facility works a referral through its task: received, accepted, in progress,
// completed or rejected. Completion completes the referral; every note is kept with author and time.
import type { Kysely } from 'kysely';
import { AppError, notFound, referralOnHold, validationFailed } from '../../platform/errors.js';
import type { Database, ReferralRow, TaskRow } from '../../platform/schema.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { ensureChain, pendingAuditEvent, type PendingAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, visibleReferral } from './access.js';
import type { ReferralDeps } from './deps.js';
import * as referrals from './repo.js';
import type { TaskView, UpdateTaskInput } from './schemas.js';
import { referralTransition, type ReferralStatus } from './states.js';
import { taskTransition, type TaskStatus } from './task-states.js';
import { findReferralWithTasks, readReferralTask, writeTaskUpdate, type TaskUpdate, type WrittenTaskUpdate } from './task-repo.js';
import { TaskSnapshots, type TaskSnapshot } from './task-snapshots.js';
import { toTaskView } from './views.js';

export function createTaskUseCases({ db, clock }: ReferralDeps) {
  const snapshots = new TaskSnapshots();

  async function listTasks(caller: Caller, referralId: number): Promise<TaskView[]> {
    const found = await findReferralWithTasks(db, referralId);
    const referral = visibleReferral(caller, found?.referral, referralId);
    for (const task of found!.tasks) snapshots.remember({ referral, task });
    return found!.tasks.map(toTaskView);
  }

  /**
   * Judges the update on this process's snapshot of the rows, or else on the rows as read, and
   * writes it in one statement that holds only if neither the referral nor the task moved since.
   * A snapshot that judges wrongly or has moved on is set aside for the rows as read; when those
   * moved too, the update is judged and written again under locks in one transaction. Every
   * refusal is judged on rows read from the database.
   */
  async function updateReferralTask(caller: Caller, referralId: number, taskId: number, input: UpdateTaskInput, ifMatch?: string): Promise<TaskView> {
    assertTaskUpdate(input);
    const request = { caller, referralId, taskId, input, ifMatch };
    const asRemembered = await applyToSnapshot(request);
    const asRead = asRemembered ?? (await applyTaskUpdate(db, request, { locked: false }));
    return asRead ?? db.transaction().execute(async (tx) => (await applyTaskUpdate(tx, request, { locked: true }))!);
  }

  async function applyToSnapshot(request: TaskUpdateRequest): Promise<TaskView | undefined> {
    const snapshot = snapshots.get(request.referralId, request.taskId);
    const update = snapshot && judgedOrNothing(() => judge(snapshot, request));
    if (!update) return undefined;
    const written = await writeTaskUpdate(db, update);
    if (!written) snapshots.forget(request.taskId);
    return written && remembered(snapshot, update, written);
  }

  async function applyTaskUpdate(tx: Kysely<Database>, request: TaskUpdateRequest, { locked }: { locked: boolean }): Promise<TaskView | undefined> {
    const { caller, referralId, taskId } = request;
    const found = await readReferralTask(tx, referralId, taskId, { lock: locked });
    const referral = visibleReferral(caller, found?.referral ?? (await referrals.findReferral(tx, referralId)), referralId);
    if (!found) throw missingTask(caller, referral, taskId);
    const update = judge(found, request);
    const written = (await writeTaskUpdate(tx, update)) ?? (locked ? await writeOnNewChain(tx, update) : undefined);
    return written && remembered(found, update, written);
  }

  /** The update the caller asks for, on a referral and task as they were read or remembered. */
  function judge({ referral, task }: TaskSnapshot, { caller, input, ifMatch }: TaskUpdateRequest): TaskUpdate {
    assertSide(caller, referral, ['receiving'], 'update the task of');
    assertIfMatch(ifMatch, task.version);
    if (referral.status === 'ON_HOLD') throw referralOnHold();
    const to = input.status ? taskTransition(task.status as TaskStatus, input.status) : (task.status as TaskStatus);
    return judgedUpdate(caller, referral, task, input, to);
  }

  /** The task as written, remembered for its next update while its referral is open. */
  function remembered({ referral, task }: TaskSnapshot, update: TaskUpdate, written: WrittenTaskUpdate): TaskView {
    const current = { ...written.task, notes: written.note ? [...task.notes, written.note] : task.notes };
    if (update.referralCompletion) snapshots.forget(task.id);
    else snapshots.remember({ referral, task: current });
    return toTaskView(current);
  }

  /** The update as judged on these rows: the write holds only while they are unchanged. */
  function judgedUpdate(caller: Caller, referral: ReferralRow, task: TaskRow, input: UpdateTaskInput, to: TaskStatus): TaskUpdate {
    const completes = to === 'COMPLETED' && task.status !== 'COMPLETED';
    return {
      referralId: referral.id,
      referralStatus: referral.status,
      taskId: task.id,
      taskVersion: task.version,
      status: to,
      rejectionReason: to === 'REJECTED' ? input.rejectionReason! : null,
      note: input.note ? { author: caller.fhirUser ?? caller.sub, text: input.note } : null,
      at: clock.now(),
      audit: pendingAuditEvent(clock, {
        actor: caller.sub,
        action: to === task.status ? 'task.note' : 'task.update',
        outcome: 'success',
        entityType: 'ReferralTask',
        entityId: task.id,
        referralId: referral.id,
        detail: { from: task.status, to, noteAdded: Boolean(input.note) },
      }),
      referralCompletion: completes ? completionAudit(caller, referral) : null,
    };
  }

  /** A completed task completes its referral (workflow guide, step 4). */
  function completionAudit(caller: Caller, referral: ReferralRow): PendingAuditEvent {
    const to = referralTransition(referral.status as ReferralStatus, 'complete');
    return pendingAuditEvent(clock, {
      actor: caller.sub,
      action: 'referral.complete',
      outcome: 'success',
      entityType: 'Referral',
      entityId: referral.id,
      referralId: referral.id,
      detail: { from: referral.status, to },
    });
  }

  /** Under locks only a missing chain head stops the write: a referral recorded before per-referral chains gets one. */
  async function writeOnNewChain(tx: Kysely<Database>, update: TaskUpdate) {
    await ensureChain(tx, update.audit.chain);
    return writeTaskUpdate(tx, update);
  }

  return { listTasks, updateReferralTask };
}

/** A task the referral does not have: 404 to its receiving side, 403 to anyone else who sees the referral. */
function missingTask(caller: Caller, referral: ReferralRow, taskId: number): AppError {
  assertSide(caller, referral, ['receiving'], 'update the task of');
  return notFound(`Task ${taskId} of referral ${referral.id}`);
}

/** The update judged by `judge`, or nothing when the judgement refuses it (to be judged again on fresh rows). */
function judgedOrNothing(judge: () => TaskUpdate): TaskUpdate | undefined {
  try {
    return judge();
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
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
