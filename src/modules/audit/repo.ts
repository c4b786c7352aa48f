// The append-only audit table. Events join a chain (one per referral, one per patient's consent…);
// each append moves the chain's head from the position it was read at to past its events, in the
// statement that inserts them, and only while the head is still there, so a chain never forks.
// Hashes are computed here (chain.ts), never in SQL.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import type { AuditEventRow } from './tables.js';
import { chainHash, CURRENT_HASH_SCHEME, GENESIS_HASH, type ChainedContent } from './chain.js';

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

/** Where a chain ends: the position and hash of its last event (0 and the genesis hash while empty). */
export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
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

/** A referral's events chain together; anything else chains per entity unless the caller names a chain. */
function chainOf(input: AuditEventInput): string {
  return input.referralId ? `referral:${input.referralId}` : `${input.entityType}:${input.entityId}`;
}

/** The chain of a referral's events. */
export const referralChain = (referralId: number) => `referral:${referralId}`;

/** A column for a statement that reads what a change will be judged on: the head of `chain` as it is (null while it has none). */
export function chainHeadColumn(chain: string): RawBuilder<{ seq: number; hash: string } | null> {
  return sql`(SELECT json_build_object('seq', last_seq, 'hash', last_hash) FROM audit_chain WHERE chain = ${chain})`;
}

/** The head `chainHeadColumn` read. */
export function chainHead(chain: string, read: { seq: number; hash: string } | null): ChainHead {
  return { chain, seq: read?.seq ?? 0, hash: read?.hash ?? GENESIS_HASH };
}

/**
 * The common table expressions that append `events` (one chain's, in order) onto `head` within a
 * larger statement: `audit_head` moves the chain's head past them, only while it is still at `head`
 * (creating it for an empty chain), and `audit_appended` inserts them when it did. Every other write
 * of the statement joins `audit_head`, so that nothing is written when the chain moved since `head`
 * was read, and a change is never written without its events.
 */
export function appendingOnto(head: ChainHead, events: PendingAuditEvent[]): RawBuilder<unknown> {
  if (events.length === 0) throw new Error('An audited change appends at least one event');
  if (events.some((event) => event.chain !== head.chain)) throw new Error(`Every event of one append joins chain ${head.chain}`);
  const chained = hashOnto(head, events);
  const last = chained[chained.length - 1]!;
  const rows = chained.map(
    ({ seq, prevHash, hash, content }) => sql`(${head.chain}::text, ${seq}::bigint, ${content.recordedAt}::timestamptz, ${content.actor}::text,
      ${content.action}::text, ${content.outcome}::text, ${content.entityType}::text, ${content.entityId}::text, ${content.referralId}::integer,
      ${JSON.stringify(content.detail)}::jsonb, ${prevHash}::text, ${hash}::text, ${CURRENT_HASH_SCHEME}::smallint)`,
  );
  return sql`
    ${movingHead(head, { chain: head.chain, seq: last.seq, hash: last.hash })}, audit_appended AS (
      INSERT INTO audit_event (chain, chain_seq, recorded_at, actor, action, outcome, entity_type, entity_id, referral_id, detail, prev_hash, hash, hash_scheme)
      SELECT event.* FROM (VALUES ${sql.join(rows)}) AS event, audit_head
      RETURNING seq, chain_seq
    )`;
}

/**
 * The common table expression `audit_head`: moves the chain's head from `from` to `to`, only while it
 * is still at `from` (creating it for an empty chain); it returns a row only when it moved, and
 * every write joined to it is made only then.
 */
export function movingHead(from: ChainHead, to: ChainHead): RawBuilder<unknown> {
  return sql`audit_head AS (
      INSERT INTO audit_chain AS head (chain, last_seq, last_hash) VALUES (${from.chain}, ${to.seq}, ${to.hash})
      ON CONFLICT (chain) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash
       WHERE head.last_seq = ${from.seq} AND head.last_hash = ${from.hash}
      RETURNING chain
    )`;
}

/** The events with their positions and hashes after `head`. */
function hashOnto(head: ChainHead, events: PendingAuditEvent[]) {
  let previous = { seq: head.seq, hash: head.hash };
  return events.map(({ content }) => {
    const seq = previous.seq + 1;
    const hash = chainHash(previous.hash, { ...content, seq });
    const event = { seq, prevHash: previous.hash, hash, content };
    previous = { seq, hash };
    return event;
  });
}

/**
 * Appends events of one chain in the caller's transaction, after locking the chain's head (created
 * when the chain has none), so concurrent appends to one chain queue rather than fork it while
 * appends to different chains proceed in parallel.
 */
async function appendAuditEvents(tx: Kysely<Database>, events: PendingAuditEvent[]): Promise<AuditEvent[]> {
  const head = await lockChainHead(tx, events[0]!.chain);
  const { rows } = await sql<{ seq: number }>`WITH ${appendingOnto(head, events)} SELECT seq FROM audit_appended ORDER BY chain_seq`.execute(tx);
  if (rows.length !== events.length) throw new Error('Audit events are appended inside a transaction, which holds their chain head');
  return events.map((event, index) => ({ ...event.content, seq: rows[index]!.seq }));
}

/** Appends one event; call it inside the transaction of the change it records. */
export async function appendAuditEvent(tx: Kysely<Database>, clock: Clock, input: AuditEventInput): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(tx, [pendingAuditEvent(clock, input)]);
  return event!;
}

/** Locks the head of `chain` until the transaction ends, creating it empty when the chain has none yet. */
async function lockChainHead(tx: Kysely<Database>, chain: string): Promise<ChainHead> {
  const head = await tx
    .insertInto('audit_chain')
    .values({ chain, last_seq: 0, last_hash: GENESIS_HASH })
    .onConflict((conflict) => conflict.column('chain').doUpdateSet((eb) => ({ last_seq: eb.ref('audit_chain.last_seq') })))
    .returning(['last_seq', 'last_hash'])
    .executeTakeFirstOrThrow();
  return { chain, seq: head.last_seq, hash: head.last_hash };
}

/** What the hash of a stored event covers: its content and its position in its chain. */
export function chainedContentOf(row: AuditEventRow): ChainedContent {
  return { ...fromAuditRow(row), seq: row.chain_seq };
}

function fromAuditRow(row: AuditEventRow): AuditEvent {
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
