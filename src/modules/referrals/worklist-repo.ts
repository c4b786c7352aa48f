// Reading worklists at any size. A list is the union of index scans, one per way a referral is the
// caller's (requester, sending organisation; performer, receiving organisation) and per status its
// clauses name, each in due-date order and cut at what is needed: a page of items, or a count that
// stops at COUNT_CAP. The current task's status and the clock's conditions are checked on the rows
// each scan reads.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { PLANNED_EACH_CALL } from '../../platform/prepared-statements.js';
import type { Database } from '../../database.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { Side } from './access.js';
import type { SeenReferral } from './repo.js';
import { RECENT_DAYS, type ReferralWorklist, type WorklistClause } from './worklists.js';

type Db = Kysely<Database>;

/** Counting stops here: a list holding more says "at least" this many. */
export const COUNT_CAP = 1000;

/** Where a page ends: the last item's due time (null for drafts, which have none and come last) and id. */
export interface WorklistPosition {
  due: string | null;
  id: number;
}

const WAY_COLUMNS: Record<Side, readonly ('requester_id' | 'sending_organisation_id' | 'performer_id' | 'receiving_organisation_id')[]> = {
  referring: ['requester_id', 'sending_organisation_id'],
  receiving: ['performer_id', 'receiving_organisation_id'],
};

/** Each way a referral is the caller's on `side`: a column and the value it has. */
function waysOn(caller: Caller, side: Side): { column: string; value: string }[] {
  const [first, second] = WAY_COLUMNS[side];
  if (side === 'referring') {
    return [
      ...(caller.fhirUser ? [{ column: first!, value: caller.fhirUser }] : []),
      ...organizationsWhere(caller, 'referrer').map((value) => ({ column: second!, value })),
    ];
  }
  return organizationsWhere(caller, 'receiver').flatMap((value) => [
    { column: first!, value },
    { column: second!, value },
  ]);
}

const recentSince = (now: Date) => new Date(now.getTime() - RECENT_DAYS * 24 * 3600_000);

/** The conditions of a clause besides its status, on a referral row and its current task. */
function clauseConditions(clause: WorklistClause, now: Date): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [];
  if (clause.taskStatuses) conditions.push(sql`current_task.status IN (${sql.join(clause.taskStatuses)})`);
  if (clause.outcome) conditions.push(sql`referral.outcome = ${clause.outcome}`);
  if (clause.overdue) conditions.push(sql`referral.response_due_at < ${now}`);
  if (clause.recent) conditions.push(sql`referral.updated_at >= ${recentSince(now)}`);
  return conditions;
}

function afterCondition(after: WorklistPosition | undefined): RawBuilder<unknown>[] {
  if (!after) return [];
  if (after.due === null) return [sql`referral.response_due_at IS NULL AND referral.id > ${after.id}`];
  return [sql`((referral.response_due_at, referral.id) > (${after.due}::timestamptz, ${after.id}) OR referral.response_due_at IS NULL)`];
}

/** The current task's status beside each referral a scan reads. */
const CURRENT_TASK = sql`LEFT JOIN LATERAL (
    SELECT t.id, t.status FROM referral_task AS t WHERE t.referral_id = referral.id ORDER BY t.id DESC LIMIT 1
  ) AS current_task ON true`;

/** The union of the list's scans, each giving at most `limit` rows (id, due) in due order. */
function listScans(caller: Caller, list: ReferralWorklist, now: Date, limit: number, after?: WorklistPosition): RawBuilder<unknown> | undefined {
  const scans = waysOn(caller, list.side).flatMap(({ column, value }) =>
    list.clauses.flatMap((clause) =>
      clause.statuses.map((status) => {
        const conditions = [
          sql`referral.${sql.ref(column)} = ${value}`,
          sql`referral.status = ${status}`,
          ...clauseConditions(clause, now),
          ...afterCondition(after),
        ];
        return sql`(SELECT referral.id, referral.response_due_at FROM referral ${CURRENT_TASK}
           WHERE ${sql.join(conditions, sql` AND `)}
           ORDER BY referral.response_due_at, referral.id LIMIT ${limit})`;
      }),
    ),
  );
  return scans.length > 0 ? sql.join(scans, sql` UNION `) : undefined;
}

/** How many referrals each list holds for the caller, counting each up to COUNT_CAP + 1. */
export async function countWorklists(db: Db, caller: Caller, lists: readonly ReferralWorklist[], now: Date): Promise<number[]> {
  const counts = lists.map((list, index) => {
    const scans = listScans(caller, list, now, COUNT_CAP + 1);
    const counted = scans ? sql`(SELECT count(*)::int FROM (SELECT id FROM (${scans}) AS listed LIMIT ${COUNT_CAP + 1}) AS capped)` : sql`0`;
    return sql`${counted} AS ${sql.ref(`list_${index}`)}`;
  });
  if (counts.length === 0) return [];
  const { rows } = await sql<Record<string, number>>`${sql.raw(PLANNED_EACH_CALL)} SELECT ${sql.join(counts)}`.execute(db);
  return lists.map((_, index) => rows[0]![`list_${index}`]!);
}

/** A page of a worklist, soonest due first (drafts, due never, last), then oldest id; `limit + 1` rows so the caller can tell whether more follow. */
export async function worklistItems(db: Db, caller: Caller, list: ReferralWorklist, page: { after?: WorklistPosition; limit: number; now: Date }) {
  const scans = listScans(caller, list, page.now, page.limit + 1, page.after);
  if (!scans) return [];
  const { rows } = await sql<SeenReferral>`${sql.raw(PLANNED_EACH_CALL)}
    SELECT referral.*, (SELECT json_build_object('id', t.id, 'status', t.status) FROM referral_task AS t
                         WHERE t.referral_id = referral.id ORDER BY t.id DESC LIMIT 1) AS current_task
      FROM referral
     WHERE referral.id IN (SELECT id FROM (${scans}) AS listed ORDER BY response_due_at, id LIMIT ${page.limit + 1})
     ORDER BY referral.response_due_at, referral.id`.execute(db);
  return rows;
}
