// The receiving facility works a referral through its task: received, accepted, in progress,
// completed or rejected. Completion completes the referral; every note is kept with author and time.
import type { Kysely } from 'kysely';
import { notFound, referralOnHold, validationFailed } from '../../platform/errors.js';
import type { Database, ReferralRow, TaskRow } from '../../platform/schema.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { appendAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, visibleReferral } from './access.js';
import type { ReferralDeps } from './deps.js';
import * as referrals from './repo.js';
import type { TaskView, UpdateTaskInput } from './schemas.js';
import { referralTransition, type ReferralStatus } from './states.js';
import { taskTransition, type TaskStatus } from './task-states.js';
import { insertNote, listTasksWithNotes, lockReferralTask, updateTask } from './task-repo.js';
import { toTaskView } from './views.js';

export function createTaskUseCases({ db, clock }: ReferralDeps) {
  async function listTasks(caller: Caller, referralId: number): Promise<TaskView[]> {
    visibleReferral(caller, await referrals.findReferral(db, referralId), referralId);
    return (await listTasksWithNotes(db, referralId)).map(toTaskView);
  }

  async function updateReferralTask(caller: Caller, referralId: number, taskId: number, input: UpdateTaskInput, ifMatch?: string): Promise<TaskView> {
    assertTaskUpdate(input);
    return db.transaction().execute(async (tx) => {
      const locked = await lockReferralTask(tx, referralId, taskId);
      const referral = visibleReferral(caller, locked?.referral ?? (await referrals.findReferral(tx, referralId)), referralId);
      assertSide(caller, referral, ['receiving'], 'update the task of');
      if (!locked) throw notFound(`Task ${taskId} of referral ${referralId}`);
      const { task } = locked;
      assertIfMatch(ifMatch, task.version);
      if (referral.status === 'ON_HOLD') throw referralOnHold();
      const to = input.status ? taskTransition(task.status as TaskStatus, input.status) : (task.status as TaskStatus);
      const updated = await updateTask(tx, task.id, { status: to, ...(to === 'REJECTED' ? { rejection_reason: input.rejectionReason } : {}) }, clock.now());
      const note = input.note && (await insertNote(tx, { taskId, author: caller.fhirUser ?? caller.sub, status: to, text: input.note, at: clock.now() }));
      await auditTaskUpdate(tx, caller, task, to, Boolean(input.note));
      if (to === 'COMPLETED') await completeReferral(tx, caller, referral);
      return toTaskView({ ...updated, notes: note ? [...task.notes, note] : task.notes });
    });
  }

  async function auditTaskUpdate(tx: Kysely<Database>, caller: Caller, task: TaskRow, to: TaskStatus, noteAdded: boolean) {
    await appendAuditEvent(tx, clock, {
      actor: caller.sub,
      action: to === task.status ? 'task.note' : 'task.update',
      outcome: 'success',
      entityType: 'ReferralTask',
      entityId: task.id,
      referralId: task.referral_id,
      detail: { from: task.status, to, noteAdded },
    });
  }

  /** A completed task completes its referral (workflow guide, step 4). */
  async function completeReferral(tx: Kysely<Database>, caller: Caller, referral: ReferralRow) {
    const to = referralTransition(referral.status as ReferralStatus, 'complete');
    await referrals.updateReferral(tx, referral.id, { status: to }, clock.now());
    await appendAuditEvent(tx, clock, {
      actor: caller.sub,
      action: 'referral.complete',
      outcome: 'success',
      entityType: 'Referral',
      entityId: referral.id,
      referralId: referral.id,
      detail: { from: referral.status, to },
    });
  }

  return { listTasks, updateReferralTask };
}

/** A rejection needs its reason; a reason needs a rejection; an update needs a status or a note. */
function assertTaskUpdate(input: UpdateTaskInput): void {
  if (input.status === 'REJECTED' && !input.rejectionReason) throw validationFailed('body.rejectionReason', 'is required when status is REJECTED');
  if (input.rejectionReason && input.status !== 'REJECTED') throw validationFailed('body.rejectionReason', 'is only accepted with status REJECTED');
  if (!input.status && !input.note) throw validationFailed('body.status', 'give a status, a note, or both');
}
