// Referral records in the database: a referral's creation and the lists of referrals. Every later
// change to one is read and written through change-repo.ts.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { PLANNED_EACH_CALL } from '../../platform/prepared-statements.js';
import { appendingOnto, chainHead, type PendingAuditEvent } from '../audit/repo.js';
import type { Database } from '../../database.js';
import type { NewReferralRow, ReferralRow } from './tables.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { InboxFilter, ListReferralsFilter } from './schemas.js';
import { CLOSED_TASK_STATUSES } from './task-states.js';
import { recordingNotifications } from '../notifications/record.js';
import { referralNotifications } from './notifications.js';
import { currentTaskOfReferral } from './task-repo.js';

type Db = Kysely<Database>;

export type ReferralPatch = Partial<Omit<NewReferralRow, 'id' | 'version' | 'created_at' | 'created_by'>>;

/** Draws the id of a referral about to be created, so its statement can name it before inserting it. */
export async function reserveReferralId(db: Db): Promise<number> {
  const { rows } = await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('referral', 'id'))::int AS id`.execute(db);
  return rows[0]!.id;
}

/**
 * Inserts a referral under its reserved id with the first event of its audit chain, in one
 * statement; undefined when the chain exists already (it cannot, for an id just drawn).
 */
export async function writeCreate(db: Db, id: number, row: NewReferralRow, audit: PendingAuditEvent): Promise<ReferralRow | undefined> {
  const columns = Object.keys(row) as (keyof NewReferralRow & string)[];
  const { rows } = await sql<ReferralRow>`
    WITH ${appendingOnto(chainHead(audit.chain, null), [audit])},
    ${recordingNotifications(referralNotifications([audit], undefined, { ...row, id }), 'audit_head')}, created AS (
      INSERT INTO referral (id, ${sql.join(columns.map((column) => sql.ref(column)))}) OVERRIDING SYSTEM VALUE
      SELECT ${id}, ${sql.join(columns.map((column) => row[column]))} FROM audit_head
      RETURNING *
    )
    SELECT * FROM created`.execute(db);
  return rows[0];
}

/** A referral as its readers see it: the row and its current task. */
export type SeenReferral = ReferralRow & { current_task: { id: number; status: string } | null };

/** A referral as its readers see it, with how many attachments it has (what its receiving app is given depends on it). */
export function findReferral(db: Db, id: number): Promise<(SeenReferral & { attachments: number }) | undefined> {
  return db
    .selectFrom('referral')
    .selectAll()
    .select(currentTaskOfReferral.as('current_task'))
    .select(sql<number>`(SELECT count(*)::int FROM attachment WHERE attachment.referral_id = referral.id)`.as('attachments'))
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Referrals the caller's organisation sends (drafts included) or receives (once sent), newest first.
 * Each way a referral can be the caller's is its own index scan in id order (the requester; per
 * organisation, the sender, the performer, the receiving organisation), each taking at most a page, and the page is
 * the newest of their union: a caller whose organisations have few referrals never walks everyone's.
 * Planned on every call, so the plan follows the caller's organisations.
 */
export async function listVisibleReferrals(db: Db, caller: Caller, filter: ListReferralsFilter & { afterId?: number; limit: number }) {
  const referring: Way[] = [
    (eb) => eb('requester_id', '=', caller.fhirUser ?? ''),
    ...organizationsWhere(caller, 'referrer').map(
      (organization): Way =>
        (eb) =>
          eb('sending_organisation_id', '=', organization),
    ),
  ];
  // Spelled as the receiving side's partial indexes are (migration 016), so the planner can use them.
  const sent = sql<boolean>`status <> 'DRAFT'`;
  const receiving = organizationsWhere(caller, 'receiver').flatMap((organization): Way[] => [
    (eb) => eb.and([eb('performer_id', '=', organization), sent]),
    (eb) => eb.and([eb('receiving_organisation_id', '=', organization), sent]),
  ]);
  const ways = filter.side === 'referring' ? referring : filter.side === 'receiving' ? receiving : [...referring, ...receiving];
  if (ways.length === 0) return [];
  const page = filter.limit + 1;
  const newestOf = (way: Way) => sql`(${narrowed(db.selectFrom('referral').select('id').where(way), filter).orderBy('id', 'desc').limit(page)})`;
  const { rows } = await sql<SeenReferral>`${sql.raw(PLANNED_EACH_CALL)}
    SELECT referral.*, ${currentTaskOfReferral} AS current_task FROM referral
     WHERE id IN (SELECT id FROM (${sql.join(ways.map(newestOf), sql` UNION `)}) AS mine ORDER BY id DESC LIMIT ${page})
     ORDER BY id DESC`.execute(db);
  return rows;
}

/** One way a referral is the caller's, as a condition on its row. */
type Way = (eb: ExpressionBuilder<Database, 'referral'>) => Expression<SqlBool>;

/** The list's filters, on each of its scans. */
function narrowed<Q extends SelectQueryBuilder<Database, 'referral', { id: number }>>(query: Q, filter: ListReferralsFilter & { afterId?: number }): Q {
  let scan = query;
  if (filter.status) scan = scan.where('status', '=', filter.status) as Q;
  if (filter.patientId) scan = scan.where('patient_id', '=', filter.patientId) as Q;
  if (filter.priority) scan = scan.where('priority', '=', filter.priority) as Q;
  if (filter.afterId !== undefined) scan = scan.where('id', '<', filter.afterId) as Q;
  return scan;
}

export interface InboxPosition {
  rank: number;
  due: string;
  id: number;
}

/** Open referrals for a performer whose task is still open, most urgent and soonest due first. */
export function listInbox(db: Db, filter: InboxFilter & { after?: InboxPosition; limit: number }) {
  // Planned on every call: a generic plan of this statement scans both tables (its partial indexes serve only custom plans).
  let query = db
    .selectFrom('referral')
    .modifyFront(sql.raw(PLANNED_EACH_CALL))
    .selectAll()
    .select(currentTaskOfReferral.as('current_task'))
    .where('performer_id', '=', filter.performerId)
    .where('status', 'in', filter.status ? [filter.status] : ['ACTIVE', 'ON_HOLD'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('referral_task')
          .select('referral_task.id')
          .whereRef('referral_task.referral_id', '=', 'referral.id')
          .where('referral_task.status', 'not in', CLOSED_TASK_STATUSES),
      ),
    );
  if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
  if (filter.priority) query = query.where('priority', '=', filter.priority);
  const after = filter.after;
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('priority_rank', 'response_due_at', 'id'), '>', eb.tuple(after.rank, new Date(after.due), after.id)));
  }
  return query
    .orderBy('priority_rank')
    .orderBy('response_due_at')
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}
