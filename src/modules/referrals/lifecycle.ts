// Hold, resume and revoke: either side holds and resumes an active referral; the referring side
// revokes, which cancels every open task and deletes nothing.
import type { Kysely } from 'kysely';
import type { Database, ReferralRow } from '../../platform/schema.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { appendAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, visibleReferral, type Side } from './access.js';
import type { ReferralDeps } from './deps.js';
import * as referrals from './repo.js';
import type { ReferralView } from './schemas.js';
import { referralTransition, type ReferralEvent, type ReferralStatus } from './states.js';
import { insertNote, openTasks, updateTask } from './task-repo.js';
import { toReferralView } from './views.js';

interface Change {
  event: ReferralEvent;
  sides: Side[];
  ifMatch?: string;
  reason?: string;
  /** The columns the change sets, and any further writes it makes in the same transaction. */
  apply(tx: Kysely<Database>, row: ReferralRow): Promise<referrals.ReferralPatch>;
}

export function createLifecycleUseCases({ db, clock }: ReferralDeps) {
  async function changeReferral(caller: Caller, id: number, change: Change): Promise<ReferralView> {
    return db.transaction().execute(async (tx) => {
      const row = visibleReferral(caller, await referrals.findReferral(tx, id, { forUpdate: true }), id);
      assertSide(caller, row, change.sides, change.event);
      assertIfMatch(change.ifMatch, row.version);
      const to = referralTransition(row.status as ReferralStatus, change.event);
      const patch = await change.apply(tx, row);
      const updated = await referrals.updateReferral(tx, id, { ...patch, status: to }, clock.now());
      await appendAuditEvent(tx, clock, {
        actor: caller.sub,
        action: `referral.${change.event}`,
        outcome: 'success',
        entityType: 'Referral',
        entityId: id,
        referralId: id,
        detail: { from: row.status, to, ...(change.reason ? { reason: change.reason } : {}) },
      });
      return toReferralView(updated, clock.now());
    });
  }

  const holdReferral = (caller: Caller, id: number, reason?: string, ifMatch?: string) =>
    changeReferral(caller, id, { event: 'hold', sides: ['referring', 'receiving'], ifMatch, reason, apply: async () => ({ hold_reason: reason ?? null }) });

  const resumeReferral = (caller: Caller, id: number, ifMatch?: string) =>
    changeReferral(caller, id, { event: 'resume', sides: ['referring', 'receiving'], ifMatch, apply: async () => ({ hold_reason: null }) });

  const revokeReferral = (caller: Caller, id: number, reason?: string, ifMatch?: string) =>
    changeReferral(caller, id, {
      event: 'revoke',
      sides: ['referring'],
      ifMatch,
      reason,
      apply: async (tx, row) => {
        await cancelOpenTasks(tx, caller, row, reason);
        return { revocation_reason: reason ?? null };
      },
    });

  /** Every open task is cancelled with a note saying why; the tasks themselves are kept. */
  async function cancelOpenTasks(tx: Kysely<Database>, caller: Caller, row: ReferralRow, reason?: string) {
    const at = clock.now();
    for (const task of await openTasks(tx, row.id)) {
      await updateTask(tx, task.id, { status: 'CANCELLED' }, at);
      await insertNote(tx, {
        taskId: task.id,
        author: caller.fhirUser ?? caller.sub,
        status: 'CANCELLED',
        text: `Referral revoked${reason ? `: ${reason}` : ''}`,
        at,
      });
      await appendAuditEvent(tx, clock, {
        actor: caller.sub,
        action: 'task.cancel',
        outcome: 'success',
        entityType: 'ReferralTask',
        entityId: task.id,
        referralId: row.id,
        detail: { from: task.status, to: 'CANCELLED' },
      });
    }
  }

  return { holdReferral, resumeReferral, revokeReferral };
}
