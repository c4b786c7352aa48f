// The outbox: changes appended to a log by the change's own transaction, folded into one row per
// mirrored resource, leased to one worker at a time (FOR UPDATE SKIP LOCKED), with the attempts,
// backoff and last error of each.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { PLANNED_EACH_CALL } from '../../platform/prepared-statements.js';

type Db = Kysely<Database>;

export interface OutboxClaim {
  resourceType: string;
  resourceId: string;
  /** The latest change this delivery covers. */
  changeSeq: number;
  attempts: number;
}

/**
 * Moves committed changes from the append-only log into the outbox, one row per resource. Each
 * folded resource gets a fresh change_seq, above any delivery already claimed, so a change that
 * commits while its resource is in flight is delivered again. The statement is planned on every
 * call: a plan cached while the log was drained (and analysed empty) would sort or scan the whole
 * log after a burst, round after round.
 */
export async function foldChanges(db: Db, limit: number): Promise<void> {
  await sql`${sql.raw(PLANNED_EACH_CALL)}
    WITH moved AS (
      DELETE FROM fhir_outbox_change
       WHERE seq IN (SELECT seq FROM fhir_outbox_change ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING resource_type, resource_id, changed_at
    )
    INSERT INTO fhir_outbox (resource_type, resource_id, change_seq, pending_since, next_attempt_at)
    SELECT resource_type, resource_id, nextval('fhir_outbox_change_seq'), min(changed_at), clock_timestamp()
      FROM moved GROUP BY resource_type, resource_id
    ON CONFLICT (resource_type, resource_id) DO UPDATE SET
      change_seq = excluded.change_seq,
      pending_since = coalesce(fhir_outbox.pending_since, excluded.pending_since),
      next_attempt_at = CASE WHEN fhir_outbox.change_seq > fhir_outbox.delivered_seq
        THEN fhir_outbox.next_attempt_at ELSE excluded.next_attempt_at END`.execute(db);
}

/** Leases up to `limit` due rows; each stays leased for `leaseMs` unless delivered or failed first. */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<OutboxClaim[]> {
  const { rows } = await sql<{ resource_type: string; resource_id: string; change_seq: number; attempts: number }>`
    UPDATE fhir_outbox AS o
       SET leased_until = clock_timestamp() + ${leaseMs} * interval '1 millisecond', attempts = o.attempts + 1
      FROM (SELECT resource_type, resource_id FROM fhir_outbox
             WHERE change_seq > delivered_seq AND next_attempt_at <= clock_timestamp()
               AND (leased_until IS NULL OR leased_until < clock_timestamp())
             ORDER BY next_attempt_at
             LIMIT ${limit}
             FOR UPDATE SKIP LOCKED) AS due
     WHERE o.resource_type = due.resource_type AND o.resource_id = due.resource_id
    RETURNING o.resource_type, o.resource_id, o.change_seq, o.attempts`.execute(db);
  return rows.map((row) => ({ resourceType: row.resource_type, resourceId: row.resource_id, changeSeq: Number(row.change_seq), attempts: row.attempts }));
}

/** Records deliveries in one statement; a change made meanwhile keeps its row pending, due at once. */
export async function markDelivered(db: Db, claims: OutboxClaim[]): Promise<void> {
  if (claims.length === 0) return;
  await sql`
    UPDATE fhir_outbox AS o
       SET delivered_seq = greatest(o.delivered_seq, d.seq), leased_until = NULL, attempts = 0,
           last_error = NULL, delivered_at = clock_timestamp(),
           pending_since = CASE WHEN o.change_seq <= d.seq THEN NULL ELSE clock_timestamp() END
      FROM (SELECT unnest(${claims.map((c) => c.resourceType)}::text[]) AS type,
                   unnest(${claims.map((c) => c.resourceId)}::text[]) AS id,
                   unnest(${claims.map((c) => c.changeSeq)}::bigint[]) AS seq) AS d
     WHERE o.resource_type = d.type AND o.resource_id = d.id`.execute(db);
}

/** Records a failed attempt; the row stays pending with its error until `retryAt`. */
export async function markFailed(db: Db, claim: OutboxClaim, error: string, retryAt: Date): Promise<void> {
  await db
    .updateTable('fhir_outbox')
    .set({ leased_until: null, last_error: error.slice(0, 1000), last_error_at: sql<Date>`clock_timestamp()`, next_attempt_at: retryAt })
    .where('resource_type', '=', claim.resourceType)
    .where('resource_id', '=', claim.resourceId)
    .execute();
}

/** How many pending resources /health counts at most: beyond, it says "at least" rather than count them all. */
const PENDING_COUNTED_UP_TO = 1_000;

export interface OutboxStatus {
  pending: number;
  /** The outbox holds more than PENDING_COUNTED_UP_TO: `pending` is a lower bound. */
  pendingAtLeast: boolean;
  oldestPendingSeconds: number | null;
  lastError: { resource: string; error: string; at: string } | null;
}

export async function outboxStatus(db: Db, options: { fullErrors?: boolean } = {}): Promise<OutboxStatus> {
  // Each part is index-bound and capped, so the answer takes as long with a million pending as with
  // ten — planned on every call, as a plan cached while the outbox was empty would not be.
  const { rows } = await sql<{ pending: number; capped: boolean; oldest: number | null }>`${sql.raw(PLANNED_EACH_CALL)}
    WITH outbox AS (
      SELECT resource_type, resource_id FROM fhir_outbox WHERE change_seq > delivered_seq LIMIT ${PENDING_COUNTED_UP_TO + 1}
    ), logged AS (
      SELECT resource_type, resource_id FROM fhir_outbox_change ORDER BY seq LIMIT ${PENDING_COUNTED_UP_TO + 1}
    )
    SELECT (SELECT count(DISTINCT resource_type || '/' || resource_id) FROM (SELECT * FROM outbox UNION ALL SELECT * FROM logged) AS both_parts)::int AS pending,
           (SELECT count(*) FROM outbox) > ${PENDING_COUNTED_UP_TO} OR (SELECT count(*) FROM logged) > ${PENDING_COUNTED_UP_TO} AS capped,
           extract(epoch FROM clock_timestamp() - least(
             (SELECT pending_since FROM fhir_outbox WHERE change_seq > delivered_seq AND pending_since IS NOT NULL ORDER BY pending_since LIMIT 1),
             (SELECT changed_at FROM fhir_outbox_change ORDER BY seq LIMIT 1)))::float8 AS oldest`.execute(db);
  const failing = await db
    .selectFrom('fhir_outbox')
    .select(['resource_type', 'resource_id', 'last_error', 'last_error_at'])
    .where('last_error', 'is not', null)
    .orderBy('last_error_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    pending: Math.min(rows[0]!.pending, PENDING_COUNTED_UP_TO),
    pendingAtLeast: rows[0]!.capped,
    oldestPendingSeconds: rows[0]!.oldest === null ? null : Math.round(rows[0]!.oldest * 1000) / 1000,
    lastError: failing
      ? {
          resource: `${failing.resource_type}/${failing.resource_id}`,
          error: options.fullErrors ? failing.last_error! : errorSummary(failing.last_error!),
          at: failing.last_error_at!.toISOString(),
        }
      : null,
  };
}

/**
 * An error without the FHIR server's own explanation, which may quote the resource: what /health,
 * which needs no token, may show. Admins see the whole error at /api/admin/outbox.
 */
function errorSummary(error: string): string {
  return error.split(': ')[0]!.slice(0, 200);
}

/** Rows that have failed at least once and are still undelivered, longest waiting first. */
export function stuckRows(db: Db, limit: number) {
  return db
    .selectFrom('fhir_outbox')
    .selectAll()
    .whereRef('change_seq', '>', 'delivered_seq')
    .where('last_error', 'is not', null)
    .orderBy('pending_since')
    .limit(limit)
    .execute();
}
