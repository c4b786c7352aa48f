// Walks every audit chain — the audit events' and the access log's — and recomputes every hash,
// reporting the first event (or batch of reads) that breaks one.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../database.js';
import { batchLink } from './access-log.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { chainedContentOf } from './repo.js';
import type { AuditEventRow } from './tables.js';

export interface ChainReport {
  intact: boolean;
  /** Audit events and batches of the access log verified. */
  events: number;
  chains: number;
  /** The first event whose hash or link does not match, when a chain is broken. */
  brokenAt?: { chain: string; seq: number; reason: string };
}

interface Head {
  last_seq: number;
  last_hash: string;
}

/** One link of a chain: where it is, what it links to, and its hash recomputed on what it links to. */
interface Link {
  chain: string;
  seq: number;
  prevHash: string;
  hash: string;
  recomputed(previousHash: string): string;
}

const PAGE = 1000;

export async function verifyAuditChain(db: Kysely<Database>): Promise<ChainReport> {
  const heads = new Map((await db.selectFrom('audit_chain').selectAll().execute()).map((head) => [head.chain, head as Head]));
  const chains = heads.size;
  let events = 0;
  let current: { chain: string; seq: number; hash: string } | undefined;
  const broken = (chain: string, seq: number, reason: string): ChainReport => ({ intact: false, events, chains, brokenAt: { chain, seq, reason } });
  const endOfChain = () => (current ? checkHead(heads, current.chain, current.seq, current.hash) : undefined);

  for await (const link of linksInChainOrder(db)) {
    if (link.chain !== current?.chain) {
      const removed = endOfChain();
      if (removed) return broken(current!.chain, current!.seq + 1, removed);
      current = { chain: link.chain, seq: 0, hash: GENESIS_HASH };
    }
    if (link.seq !== current.seq + 1) return broken(link.chain, current.seq + 1, 'this event is missing');
    if (link.prevHash !== current.hash) return broken(link.chain, link.seq, 'its link to the previous event does not match');
    if (link.recomputed(current.hash) !== link.hash) return broken(link.chain, link.seq, 'its content does not match its hash');
    current = { chain: link.chain, seq: link.seq, hash: link.hash };
    events += 1;
  }
  const removed = endOfChain();
  if (removed) return broken(current!.chain, current!.seq + 1, removed);
  const [emptied] = heads.keys();
  if (emptied !== undefined) return broken(emptied, 1, 'every event of this chain has been removed');
  return { intact: true, events, chains };
}

/** Events removed from the end of a chain leave its head pointing past the last one. */
function checkHead(heads: Map<string, Head>, chain: string, lastSeq: number, lastHash: string): string | undefined {
  const head = heads.get(chain);
  heads.delete(chain);
  if (!head) return 'the chain has no head: it was not written by the application';
  if (head.last_seq !== lastSeq || head.last_hash !== lastHash) return 'events after it have been removed';
  return undefined;
}

/** The audit events' chains, then the access log's (their names never overlap), each in order. */
async function* linksInChainOrder(db: Kysely<Database>): AsyncGenerator<Link> {
  for await (const row of inChainOrder(db.selectFrom('audit_event').selectAll())) yield eventLink(row);
  for await (const row of inChainOrder(db.selectFrom('access_log').selectAll())) yield batchLink(row);
}

function eventLink(row: AuditEventRow): Link {
  return {
    chain: row.chain,
    seq: row.chain_seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    recomputed: (previousHash) => chainHash(previousHash, chainedContentOf(row), row.hash_scheme),
  };
}

/** A table's rows by chain and position, a page at a time. */
async function* inChainOrder<T extends 'audit_event' | 'access_log', Row extends { chain: string; chain_seq: number }>(
  query: SelectQueryBuilder<Database, T, Row>,
): AsyncGenerator<Row> {
  let after: { chain: string; seq: number } | undefined;
  for (;;) {
    let page = query;
    if (after) page = page.where(sql<boolean>`(chain, chain_seq) > (${after.chain}, ${after.seq})`);
    const rows = await page
      .orderBy(sql`chain`)
      .orderBy(sql`chain_seq`)
      .limit(PAGE)
      .execute();
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { chain: last.chain, seq: last.chain_seq };
  }
}
