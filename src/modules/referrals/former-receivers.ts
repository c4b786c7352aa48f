// An organisation a referral moved away from (redirected by its sender, or forwarded by the
// organisation itself) keeps what it saw: the referral as it was when it left, and its own tasks,
// which ended then. It sees no later change, and can take no action on it.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { hasRole, organizationsWhere, type Caller } from '../identity/caller.js';
import type { ReferralView, TaskView } from './schemas.js';
import type { ReferralMoveRow, ReferralRow } from './tables.js';
import { findReferralWithTasks, fromJson } from './task-repo.js';
import { toReferralView, toTaskView } from './views.js';

/** The latest move of the referral away from an organisation the caller receives for. */
async function departureSeenBy(db: Kysely<Database>, caller: Caller, referralId: number): Promise<ReferralMoveRow | undefined> {
  const organisations = hasRole(caller, 'clinician') ? organizationsWhere(caller, 'receiver') : [];
  if (organisations.length === 0) return undefined;
  return db
    .selectFrom('referral_move')
    .selectAll()
    .where('referral_id', '=', referralId)
    .where((eb) => eb.or([eb('from_organisation_id', 'in', organisations), eb('from_performer_id', 'in', organisations)]))
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The referral as the caller's organisation last saw it before it moved away; undefined when it never had it. */
export async function referralAsLeft(db: Kysely<Database>, caller: Caller, referralId: number, now: Date): Promise<ReferralView | undefined> {
  const move = await departureSeenBy(db, caller, referralId);
  if (!move) return undefined;
  const view = toReferralView(fromJson<ReferralRow>(move.referral_before as ReferralRow), now, { caller });
  return { ...view, overdue: false, actions: [], currentTask: null, movedAway: { kind: move.kind, at: move.moved_at.toISOString() } };
}

/** The tasks the caller's organisation had on a referral that moved away from it; undefined when it never had it. */
export async function tasksAsLeft(db: Kysely<Database>, caller: Caller, referralId: number): Promise<TaskView[] | undefined> {
  if (!(await departureSeenBy(db, caller, referralId))) return undefined;
  const organisations = organizationsWhere(caller, 'receiver');
  const found = await findReferralWithTasks(db, referralId);
  return (found?.tasks ?? []).filter((task) => organisations.includes(task.owner_id)).map(toTaskView);
}
