// Referral records in the database: a referral's creation and the lists of referrals. Every later
// change to one is read and written through change-repo.ts.
import { sql, type Kysely } from 'kysely';
import { appendingOnto, chainHead, type PendingAuditEvent } from '../audit/repo.js';
import type { Database } from '../../database.js';
import type { NewReferralRow, ReferralRow } from './tables.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { InboxFilter, ListReferralsFilter } from './schemas.js';
import { CLOSED_TASK_STATUSES } from './task-states.js';

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
    WITH ${appendingOnto(chainHead(audit.chain, null), [audit])}, created AS (
      INSERT INTO referral (id, ${sql.join(columns.map((column) => sql.ref(column)))}) OVERRIDING SYSTEM VALUE
      SELECT ${id}, ${sql.join(columns.map((column) => row[column]))} FROM audit_head
      RETURNING *
    )
    SELECT * FROM created`.execute(db);
  return rows[0];
}

export function findReferral(db: Db, id: number): Promise<ReferralRow | undefined> {
  return db.selectFrom('referral').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Referrals the caller's organisation sends (drafts included) or receives (once sent), newest first. */
export function listVisibleReferrals(db: Db, caller: Caller, filter: ListReferralsFilter & { afterId?: number; limit: number }) {
  const referrerOf = anyOf(organizationsWhere(caller, 'referrer'));
  const receiverOf = anyOf(organizationsWhere(caller, 'receiver'));
  const fhirUser = caller.fhirUser ?? '';
  let query = db.selectFrom('referral').selectAll();
  query = query.where((eb) => {
    const referring = eb.or([eb('sending_organisation_id', '=', referrerOf), eb('requester_id', '=', fhirUser)]);
    const receiving = eb.and([eb.or([eb('performer_id', '=', receiverOf), eb('receiving_organisation_id', '=', receiverOf)]), eb('status', '!=', 'DRAFT')]);
    if (filter.side === 'referring') return referring;
    if (filter.side === 'receiving') return receiving;
    return eb.or([referring, receiving]);
  });
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.patientId) query = query.where('patient_id', '=', filter.patientId);
  if (filter.priority) query = query.where('priority', '=', filter.priority);
  if (filter.afterId !== undefined) query = query.where('id', '<', filter.afterId);
  return query
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** `= ANY(…)` over a list that may be empty (where `IN ()` would not be valid SQL). */
const anyOf = (values: string[]) => sql<string>`ANY(${values}::text[])`;

export interface InboxPosition {
  rank: number;
  due: string;
  id: number;
}

/** Open referrals for a performer whose task is still open, most urgent and soonest due first. */
export function listInbox(db: Db, filter: InboxFilter & { after?: InboxPosition; limit: number }) {
  let query = db
    .selectFrom('referral')
    .selectAll()
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
