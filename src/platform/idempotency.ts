// Idempotency-Key support: the first successful result of a keyed request is stored with the change
// it made, in the same transaction, and a repeat of the same request gets that result again.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { idempotencyKeyReused, validationFailed } from './errors.js';
import { platformTablesOf, type PlatformTables } from './tables.js';

export interface IdempotentRequest {
  actor: string;
  operation: string;
  key: string;
  requestHash: string;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function idempotentRequest(actor: string, operation: string, key: string, request: unknown): IdempotentRequest {
  if (!KEY_PATTERN.test(key)) throw validationFailed('headers.idempotency-key', 'must be 1 to 255 visible ASCII characters');
  const requestHash = createHash('sha256')
    .update(canonicalize(request ?? null)!)
    .digest('hex');
  return { actor, operation, key, requestHash };
}

/** The stored result of an earlier identical request; 422 when the key was used for another request. */
export async function findStoredResponse<DB extends PlatformTables>(db: Kysely<DB>, request: IdempotentRequest): Promise<StoredResponse | undefined> {
  const row = await platformTablesOf(db)
    .selectFrom('idempotency_record')
    .select(['request_hash', 'status_code', 'response'])
    .where('actor', '=', request.actor)
    .where('operation', '=', request.operation)
    .where('key', '=', request.key)
    .executeTakeFirst();
  if (!row || row.status_code === null) return undefined;
  if (row.request_hash !== request.requestHash) throw idempotencyKeyReused();
  return { statusCode: row.status_code, body: row.response };
}

/**
 * Claims the key inside the caller's transaction. A concurrent holder makes this wait until it
 * commits; false means someone else's result now stands, to be read with findStoredResponse.
 */
export async function claimKey<DB extends PlatformTables>(tx: Transaction<DB>, request: IdempotentRequest, now: Date): Promise<boolean> {
  const inserted = await platformTablesOf(tx)
    .insertInto('idempotency_record')
    .values({
      actor: request.actor,
      operation: request.operation,
      key: request.key,
      request_hash: request.requestHash,
      created_at: now,
      status_code: null,
      response: null,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function storeResponse<DB extends PlatformTables>(tx: Transaction<DB>, request: IdempotentRequest, response: StoredResponse): Promise<void> {
  await platformTablesOf(tx)
    .updateTable('idempotency_record')
    .set({ status_code: response.statusCode, response: JSON.stringify(response.body) })
    .where('actor', '=', request.actor)
    .where('operation', '=', request.operation)
    .where('key', '=', request.key)
    .execute();
}

/**
 * The common table expression that stores `response` as the result of `request` within the
 * statement that makes the change, once that statement's CTE `after` yields a row: the change and
 * its result are written together or not at all. A key stored already is left as it is.
 */
export function storingResponse(request: IdempotentRequest, response: StoredResponse, now: Date, after: string): RawBuilder<unknown> {
  return sql`idempotency_stored AS (
    INSERT INTO idempotency_record (actor, operation, key, request_hash, status_code, response, created_at)
    SELECT ${request.actor}, ${request.operation}, ${request.key}, ${request.requestHash}, ${response.statusCode}, ${JSON.stringify(response.body)}::jsonb, ${now}
      FROM ${sql.table(after)}
    ON CONFLICT DO NOTHING)`;
}
