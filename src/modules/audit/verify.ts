// Walks every audit chain and recomputes every hash, reporting the first event that breaks one.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { AuditEventRow } from './tables.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { chainedContentOf } from './repo.js';

export interface ChainReport {
  intact: boolean;
  events: number;
  chains: number;
  /** The first event whose hash or link does not match, when a chain is broken. */
  brokenAt?: { chain: string; seq: number; reason: string };
}

interface Head {
  last_seq: number;
  last_hash: string;
}

const PAGE = 1000;

export async function verifyAuditChain(db: Kysely<Database>): Promise<ChainReport> {
  const heads = new Map((await db.selectFrom('audit_chain').selectAll().execute()).map((head) => [head.chain, head as Head]));
  const chains = heads.size;
  let events = 0;
  let current: { chain: string; seq: number; hash: string } | undefined;
  const broken = (chain: string, seq: number, reason: string): ChainReport => ({ intact: false, events, chains, brokenAt: { chain, seq, reason } });
  const endOfChain = () => (current ? checkHead(heads, current.chain, current.seq, current.hash) : undefined);

  for await (const row of eventsInChainOrder(db)) {
    if (row.chain !== current?.chain) {
      const removed = endOfChain();
      if (removed) return broken(current!.chain, current!.seq + 1, removed);
      current = { chain: row.chain, seq: 0, hash: GENESIS_HASH };
    }
    if (row.chain_seq !== current.seq + 1) return broken(row.chain, current.seq + 1, 'this event is missing');
    if (row.prev_hash !== current.hash) return broken(row.chain, row.chain_seq, 'its link to the previous event does not match');
    if (chainHash(current.hash, chainedContentOf(row), row.hash_scheme) !== row.hash)
      return broken(row.chain, row.chain_seq, 'its content does not match its hash');
    current = { chain: row.chain, seq: row.chain_seq, hash: row.hash };
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

async function* eventsInChainOrder(db: Kysely<Database>): AsyncGenerator<AuditEventRow> {
  let after: { chain: string; seq: number } | undefined;
  for (;;) {
    let query = db.selectFrom('audit_event').selectAll();
    if (after) query = query.where((eb) => eb(eb.refTuple('chain', 'chain_seq'), '>', eb.tuple(after!.chain, after!.seq)));
    const rows = await query.orderBy('chain').orderBy('chain_seq').limit(PAGE).execute();
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { chain: last.chain, seq: last.chain_seq };
  }
}
