// Referral records in the database. Functions take the executor (db or transaction) so a service
// can write a change, its tasks and its audit event in one transaction.
import { sql, type Kysely } from 'kysely';
import { chainAppend, chainExists, chainStart, type PendingAuditEvent } from '../audit/repo.js';
import type { Database, NewReferralRow, ReferralRow } from '../../platform/schema.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { InboxFilter, ListReferralsFilter } from './schemas.js';

type Db = Kysely<Database>;

export type ReferralPatch = Partial<Omit<NewReferralRow, 'id' | 'version' | 'created_at' | 'created_by'>>;

/** Draws the id of a referral about to be created, so its statement can name it before inserting it. */
export async function reserveReferralId(db: Db): Promise<number> {
  const { rows } = await sql<{ id: number }>`SELECT ${nextId('referral')} AS id`.execute(db);
  return rows[0]!.id;
}

const nextId = (table: 'referral' | 'referral_task') => sql<number>`nextval(pg_get_serial_sequence(${table}, 'id'))::int`;

/**
 * A referral about to be sent, read with the id its task would have drawn in the same statement
 * (an id left unused when the send does not happen is a gap, as ids may have).
 */
export async function findReferralToSend(db: Db, id: number): Promise<{ referral: ReferralRow; taskId: number } | undefined> {
  const row = await db.selectFrom('referral').selectAll().select(nextId('referral_task').as('task_id')).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const { task_id: taskId, ...referral } = row;
  return { referral, taskId };
}

/** Inserts a referral with its reserved id and starts its audit chain with `audit`, in one statement. */
export async function writeCreate(db: Db, id: number, row: NewReferralRow, audit: PendingAuditEvent): Promise<ReferralRow> {
  const columns = Object.keys(row) as (keyof NewReferralRow & string)[];
  const { rows } = await sql<ReferralRow>`
    WITH created AS (
      INSERT INTO referral (id, ${sql.join(columns.map((column) => sql.ref(column)))}) OVERRIDING SYSTEM VALUE
      VALUES (${id}, ${sql.join(columns.map((column) => row[column]))})
      RETURNING *
    ), ${chainStart(audit, 'created')}
    SELECT * FROM created`.execute(db);
  return rows[0]!;
}

export function findReferral(db: Db, id: number, options: { forUpdate?: boolean } = {}): Promise<ReferralRow | undefined> {
  const query = db.selectFrom('referral').selectAll().where('id', '=', id);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

/** Applies `patch`, bumping the version that is the referral's ETag. */
export function updateReferral(db: Db, id: number, patch: ReferralPatch, at: Date): Promise<ReferralRow> {
  return db
    .updateTable('referral')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface Send {
  /** The draft as the consent gate judged it. */
  draft: ReferralRow;
  /** The id of the task the send opens, drawn when the draft was read (see findReferralToSend). */
  taskId: number;
  sentAt: Date;
  responseDueAt: Date;
  audit: PendingAuditEvent;
}

/**
 * Sends a draft in one statement, only while it is still the draft the gate judged (a DRAFT at
 * the same version): ACTIVE with its times, a REQUESTED task for the receiving organisation, and
 * the audit event. Nothing is written, and nothing returned, when the draft changed meanwhile (or
 * its audit chain has no head yet).
 */
export async function writeSend(db: Db, send: Send): Promise<ReferralRow | undefined> {
  const { rows } = await sql<ReferralRow>`
    WITH sent AS (
      UPDATE referral
         SET status = 'ACTIVE', authored_on = ${send.sentAt}, consent_verified = true, response_due_at = ${send.responseDueAt},
             version = version + 1, updated_at = ${send.sentAt}
       WHERE id = ${send.draft.id} AND status = 'DRAFT' AND version = ${send.draft.version} AND ${chainExists(send.audit)}
      RETURNING *
    ), task AS (
      INSERT INTO referral_task (id, referral_id, status, owner_id, requester_id, created_at, updated_at) OVERRIDING SYSTEM VALUE
      SELECT ${send.taskId}, id, 'REQUESTED', receiving_organisation_id, requester_id, ${send.sentAt}, ${send.sentAt} FROM sent
      RETURNING id
    ), ${chainAppend([send.audit], 'task')}
    SELECT * FROM sent`.execute(db);
  return rows[0];
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
          .where('referral_task.status', 'not in', ['COMPLETED', 'REJECTED', 'CANCELLED']),
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
