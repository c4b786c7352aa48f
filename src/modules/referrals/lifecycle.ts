// Hold, resume and revoke: either side holds and resumes an active referral; the referring side
// revokes, which cancels every open task and deletes nothing.
import { assertIfMatch } from '../../platform/versioning.js';
import { pendingAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { visibleReferral } from './access.js';
import { currentTask, permitAction } from './actions.js';
import type { ReferralChange, ReferralState } from './change-repo.js';
import { changeReferral } from './changes.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralPatch } from './repo.js';
import type { ReferralView } from './schemas.js';
import { referralTransition, type ReferralStatus } from './states.js';
import { isOpenTask, type TaskStatus } from './task-states.js';
import { toReferralView } from './views.js';

interface Move {
  event: 'hold' | 'resume' | 'revoke';
  ifMatch?: string;
  reason?: string;
  /** The columns the move sets besides the status, and the tasks it closes. */
  apply(state: ReferralState): Pick<ReferralChange, 'tasks' | 'notes' | 'events'> & { patch: ReferralPatch };
}

export function createLifecycleUseCases({ db, clock }: ReferralDeps) {
  async function moveReferral(caller: Caller, id: number, move: Move): Promise<ReferralView> {
    const written = await changeReferral(db, clock, id, (state) => judgeMove(caller, id, move, state));
    return toReferralView(written.referral, clock.now(), { caller, task: currentTask(written.tasks) });
  }

  function judgeMove(caller: Caller, id: number, move: Move, state: ReferralState | undefined): ReferralChange {
    const row = visibleReferral(caller, state?.referral, id);
    permitAction(caller, move.event, { referral: row, task: currentTask(state!.tasks) }, () => assertIfMatch(move.ifMatch, row.version));
    const to = referralTransition(row.status as ReferralStatus, move.event);
    const { patch, tasks, notes, events } = move.apply(state!);
    const moved = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: `referral.${move.event}`,
      outcome: 'success',
      entityType: 'Referral',
      entityId: id,
      referralId: id,
      detail: { from: row.status, to, ...(move.reason ? { reason: move.reason } : {}) },
    });
    return { referral: { ...patch, status: to }, tasks, notes, events: [...events, moved] };
  }

  const holdReferral = (caller: Caller, id: number, reason?: string, ifMatch?: string) =>
    moveReferral(caller, id, {
      event: 'hold',
      ifMatch,
      reason,
      apply: () => ({ patch: { hold_reason: reason ?? null }, events: [] }),
    });

  const resumeReferral = (caller: Caller, id: number, ifMatch?: string) =>
    moveReferral(caller, id, { event: 'resume', ifMatch, apply: () => ({ patch: { hold_reason: null }, events: [] }) });

  const revokeReferral = (caller: Caller, id: number, reason?: string, ifMatch?: string) =>
    moveReferral(caller, id, {
      event: 'revoke',
      ifMatch,
      reason,
      apply: (state) => ({ patch: { revocation_reason: reason ?? null }, ...cancelOpenTasks(caller, state, reason) }),
    });

  /** Every open task is cancelled with a note saying why; the tasks themselves are kept. */
  function cancelOpenTasks(caller: Caller, { referral, tasks }: ReferralState, reason?: string) {
    const open = tasks.filter((task) => isOpenTask(task.status as TaskStatus));
    return {
      tasks: open.map((task) => ({ id: task.id, status: 'CANCELLED' as const, outcome: 'REVOKED' as const })),
      notes: open.map((task) => ({
        taskId: task.id,
        author: caller.fhirUser ?? caller.sub,
        status: 'CANCELLED',
        text: `Referral revoked${reason ? `: ${reason}` : ''}`,
      })),
      events: open.map((task) =>
        pendingAuditEvent(clock, {
          actor: caller.sub,
          action: 'task.cancel',
          outcome: 'success',
          entityType: 'ReferralTask',
          entityId: task.id,
          referralId: referral.id,
          detail: { from: task.status, to: 'CANCELLED' },
        }),
      ),
    };
  }

  return { holdReferral, resumeReferral, revokeReferral };
}
