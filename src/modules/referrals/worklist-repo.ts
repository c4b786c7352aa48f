// Reading worklists: every list's count in one statement, and one list's items in due-date order.
// Each referral is judged with its current task; only referrals that are open, or completed recently,
// are read at all.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../database.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { Side } from './access.js';
import type { SeenReferral } from './repo.js';
import { RECENT_DAYS, type ReferralWorklist, type WorklistClause } from './worklists.js';

type Db = Kysely<Database>;

/** Referrals without a response time sort after every due one. */
const NEVER_DUE = '9999-12-31T00:00:00Z';

export interface WorklistPosition {
  due: string;
  id: number;
}

/** Referrals that are the caller's on `side`: what it sends or drafts, or what it was sent. */
function onSide(caller: Caller, side: Side): RawBuilder<boolean> {
  if (side === 'referring') {
    const organisations = organizationsWhere(caller, 'referrer');
    const sending = organisations.length > 0 ? sql`OR referral.sending_organisation_id IN (${sql.join(organisations)})` : sql``;
    return sql<boolean>`(referral.requester_id = ${caller.fhirUser ?? ''} ${sending})`;
  }
  const organisations = organizationsWhere(caller, 'receiver');
  if (organisations.length === 0) return sql<boolean>`false`;
  const list = sql.join(organisations);
  return sql<boolean>`(referral.status <> 'DRAFT' AND (referral.performer_id IN (${list}) OR referral.receiving_organisation_id IN (${list})))`;
}

function clauseHolds(clause: WorklistClause, now: Date): RawBuilder<boolean> {
  const conditions = [sql`referral.status IN (${sql.join(clause.statuses)})`];
  if (clause.taskStatuses) conditions.push(sql`current_task.status IN (${sql.join(clause.taskStatuses)})`);
  if (clause.outcome) conditions.push(sql`referral.outcome = ${clause.outcome}`);
  if (clause.overdue) conditions.push(sql`referral.response_due_at < ${now}`);
  if (clause.recent) conditions.push(sql`referral.updated_at >= ${recentSince(now)}`);
  return sql<boolean>`(${sql.join(conditions, sql` AND `)})`;
}

function inList(caller: Caller, list: ReferralWorklist, now: Date): RawBuilder<boolean> {
  return sql<boolean>`(${onSide(caller, list.side)} AND (${sql.join(
    list.clauses.map((clause) => clauseHolds(clause, now)),
    sql` OR `,
  )}))`;
}

const recentSince = (now: Date) => new Date(now.getTime() - RECENT_DAYS * 24 * 3600_000);

/** The referrals any worklist can hold, each with its current task. */
function worklistReferrals(now: Date): RawBuilder<unknown> {
  return sql`referral LEFT JOIN LATERAL (
      SELECT t.id, t.status FROM referral_task AS t WHERE t.referral_id = referral.id ORDER BY t.id DESC LIMIT 1
    ) AS current_task ON true
    WHERE (referral.status IN ('DRAFT', 'ACTIVE', 'ON_HOLD') OR (referral.status = 'COMPLETED' AND referral.updated_at >= ${recentSince(now)}))`;
}

/** How many referrals each of `lists` holds for the caller. */
export async function countWorklists(db: Db, caller: Caller, lists: readonly ReferralWorklist[], now: Date): Promise<number[]> {
  if (lists.length === 0) return [];
  const counts = lists.map((list, index) => sql`count(*) FILTER (WHERE ${inList(caller, list, now)})::int AS ${sql.ref(`list_${index}`)}`);
  const sides = [...new Set(lists.map((list) => list.side))].map((side) => onSide(caller, side));
  const { rows } = await sql<Record<string, number>>`SELECT ${sql.join(counts)} FROM ${worklistReferrals(now)} AND (${sql.join(sides, sql` OR `)})`.execute(db);
  return lists.map((_, index) => rows[0]![`list_${index}`]!);
}

/** A page of a worklist, soonest due first (then oldest id); `limit + 1` rows so the caller can tell whether more follow. */
export async function worklistItems(db: Db, caller: Caller, list: ReferralWorklist, page: { after?: WorklistPosition; limit: number; now: Date }) {
  const due = sql`coalesce(referral.response_due_at, ${NEVER_DUE}::timestamptz)`;
  const after = page.after ? sql`AND (${due}, referral.id) > (${page.after.due}::timestamptz, ${page.after.id})` : sql``;
  const { rows } = await sql<SeenReferral & { due_key: Date }>`
    SELECT referral.*, json_build_object('id', current_task.id, 'status', current_task.status) AS current_task, ${due} AS due_key
      FROM ${worklistReferrals(page.now)} AND ${inList(caller, list, page.now)} ${after}
     ORDER BY ${due}, referral.id
     LIMIT ${page.limit + 1}`.execute(db);
  return rows.map((row) => ({ ...row, current_task: row.current_task?.id ? row.current_task : null }));
}
