// The append-only audit table: events are appended in the caller's transaction, after locking the
// head of their chain (one per referral, one per patient's consent) so concurrent appends to one
// chain queue instead of forking it, while appends to different chains proceed in parallel.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { AuditEventRow, Database } from '../../platform/schema.js';
import { chainHash, contentBeforeSeq, GENESIS_HASH, type ChainedContent } from './chain.js';

export interface AuditEventInput {
  actor: string;
  action: string;
  outcome: 'success' | 'failure';
  entityType: string;
  entityId: string | number;
  referralId?: number | null;
  detail?: Record<string, unknown>;
  /** The chain the event joins; by default its referral's, else its entity's. */
  chain?: string;
}

/** A stored event: what its hash covers, its detail an object. */
export interface AuditEvent extends ChainedContent {
  detail: Record<string, unknown>;
}

/** An event ready to be appended: the chain it joins and its content, position aside. */
export interface PendingAuditEvent {
  chain: string;
  content: Omit<AuditEvent, 'seq'>;
}

export function pendingAuditEvent(clock: Clock, input: AuditEventInput): PendingAuditEvent {
  return {
    chain: input.chain ?? chainOf(input),
    content: {
      recordedAt: clock.now().toISOString(),
      actor: input.actor,
      action: input.action,
      outcome: input.outcome,
      entityType: input.entityType,
      entityId: String(input.entityId),
      referralId: input.referralId ?? null,
      detail: input.detail ?? {},
    },
  };
}

/**
 * Appends one event; call it inside the transaction of the change it records. One statement locks
 * the chain's head, hashes the event onto it and advances it; a chain's first event creates the
 * head first.
 */
export async function appendAuditEvent(tx: Kysely<Database>, clock: Clock, input: AuditEventInput): Promise<AuditEvent> {
  const event = pendingAuditEvent(clock, input);
  let appended = await appendToChain(tx, event);
  if (!appended) {
    await ensureChain(tx, event.chain);
    appended = await appendToChain(tx, event);
  }
  return { ...event.content, seq: appended!.seq };
}

/** Creates the head of a chain that has none yet (a referral recorded before chains were per referral). */
export async function ensureChain(tx: Kysely<Database>, chain: string): Promise<void> {
  await tx
    .insertInto('audit_chain')
    .values({ chain, last_seq: 0, last_hash: GENESIS_HASH })
    .onConflict((c) => c.doNothing())
    .execute();
}

/** A referral's events chain together; anything else chains per entity unless the caller names a chain. */
function chainOf(input: AuditEventInput): string {
  return input.referralId ? `referral:${input.referralId}` : `${input.entityType}:${input.entityId}`;
}

/**
 * The common table expressions that start a chain with `event` within a larger statement, once the
 * statement's CTE named `after` yields its row: the chain's head (which must not exist yet) and its
 * first event, `audit_appended` (its `seq`).
 */
export function chainStart({ chain, content }: PendingAuditEvent, after: string): RawBuilder<unknown> {
  const hash = chainHash(GENESIS_HASH, { ...content, seq: 1 });
  return sql`
    audit_started AS (
      INSERT INTO audit_chain (chain, last_seq, last_hash) SELECT ${chain}, 1, ${hash} FROM ${sql.table(after)}
    ), audit_appended AS (
      INSERT INTO audit_event (chain, chain_seq, recorded_at, actor, action, outcome, entity_type, entity_id, referral_id, detail, prev_hash, hash)
      SELECT ${chain}, 1, ${eventValues(content)}, ${GENESIS_HASH}, ${hash} FROM ${sql.table(after)}
      RETURNING seq
    )`;
}

/** An event's content as the values of audit_event's columns from recorded_at to detail. */
function eventValues(content: Omit<ChainedContent, 'seq'>): RawBuilder<unknown> {
  return sql`${content.recordedAt}::timestamptz, ${content.actor}::text, ${content.action}::text, ${content.outcome}::text,
    ${content.entityType}::text, ${content.entityId}::text, ${content.referralId}::integer, ${JSON.stringify(content.detail)}::jsonb`;
}

/** Nothing when the chain has no head yet. */
async function appendToChain(tx: Kysely<Database>, event: PendingAuditEvent) {
  const { rows } = await sql<{ seq: number }>`WITH ${chainAppend([event])} SELECT seq FROM audit_appended`.execute(tx);
  return rows[0];
}

/** True when the event's chain has its head: a statement that must not commit without its event checks this first. */
export function chainExists({ chain }: PendingAuditEvent): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM audit_chain WHERE chain = ${chain})`;
}

/**
 * The common table expressions that append `events` (one chain's, in order) within a larger
 * statement: `audit_head` locks the chain's head, `audit_1`… hash each event onto the one before,
 * `audit_appended` inserts them (their `seq`), `audit_advanced` moves the head past the last. With
 * `after`, the statement's CTE of that name must yield a row first: nothing is appended otherwise,
 * and the head is locked after that CTE's own locks.
 */
export function chainAppend(events: PendingAuditEvent[], after?: string): RawBuilder<unknown> {
  const guard = after ? sql`AND EXISTS (SELECT 1 FROM ${sql.table(after)})` : sql``;
  const step = (n: number) => sql.table(`audit_${n}`);
  const hashed = events.map(({ content }, index) => {
    const previous = index === 0 ? sql`(SELECT chain, last_seq AS chain_seq, last_hash AS hash FROM audit_head)` : step(index);
    return sql`${step(index + 1)} AS (
      SELECT chain, chain_seq + 1 AS chain_seq, hash AS prev_hash,
             encode(sha256(convert_to(hash || ${'\n'}::text || ${contentBeforeSeq(content)}::text || (chain_seq + 1) || '}', 'UTF8')), 'hex') AS hash
        FROM ${previous} AS previous
    )`;
  });
  const inserted = events.map(({ content }, index) => sql`SELECT chain, chain_seq, ${eventValues(content)}, prev_hash, hash FROM ${step(index + 1)}`);
  const last = step(events.length);
  return sql`
    audit_head AS (
      SELECT chain, last_seq, last_hash FROM audit_chain WHERE chain = ${events[0]!.chain} ${guard} FOR UPDATE
    ), ${sql.join(hashed)}, audit_appended AS (
      INSERT INTO audit_event (chain, chain_seq, recorded_at, actor, action, outcome, entity_type, entity_id, referral_id, detail, prev_hash, hash)
      ${sql.join(inserted, sql` UNION ALL `)}
      RETURNING seq
    ), audit_advanced AS (
      UPDATE audit_chain SET last_seq = ${last}.chain_seq, last_hash = ${last}.hash
        FROM ${last} WHERE audit_chain.chain = ${last}.chain
    )`;
}

/** What the hash of a stored event covers: its content and its position in its chain. */
export function chainedContentOf(row: AuditEventRow): ChainedContent {
  return { ...fromAuditRow(row), seq: row.chain_seq };
}

export function fromAuditRow(row: AuditEventRow): AuditEvent {
  return {
    seq: row.seq,
    recordedAt: row.recorded_at.toISOString(),
    actor: row.actor,
    action: row.action,
    outcome: row.outcome,
    entityType: row.entity_type,
    entityId: row.entity_id,
    referralId: row.referral_id,
    detail: row.detail,
  };
}

/** A referral's audit trail, oldest first. */
export async function listReferralAudit(db: Kysely<Database>, referralId: number): Promise<AuditEvent[]> {
  const rows = await db.selectFrom('audit_event').selectAll().where('referral_id', '=', referralId).orderBy('seq').execute();
  return rows.map(fromAuditRow);
}
