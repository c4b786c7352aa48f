// Auditing the reads of many concurrent requests on one patient's access chain without making them
// queue one by one (group commit): this process keeps at most one write in flight per chain, and the
// reads that arrive meanwhile go together in the next one — one batch of the access log
// (access-log.ts), one row, written by the statement that moves the chain's head once for the whole
// batch. Each append resolves only once its read is committed. The head this process last wrote is
// remembered, so a batch is one round trip; when another process moved the chain since, the
// statement writes nothing, and the batch is chained again onto the head as it is now.
import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { accessLogChain, appendingBatch } from './access-log.js';
import { chainHead, chainHeadColumn, type ChainHead } from './repo.js';
import type { AccessRead } from './tables.js';

/** How often a batch is chained again while other processes keep moving its chain first. */
const MAX_ATTEMPTS = 50;

/** The most reads one batch holds: a burst is written in several rows, none too large to hash and store at once. */
const MAX_BATCH = 500;

interface Waiting {
  read: AccessRead;
  settle(error?: unknown): void;
}

export interface GroupCommit {
  /** Appends the read to its patient's access log; resolves once it is committed. */
  append(read: AccessRead): Promise<void>;
}

export function auditGroupCommit(db: Kysely<Database>, clock: Clock): GroupCommit {
  const heads = new LRUCache<string, ChainHead>({ max: 10_000 });
  /** The reads waiting for each chain's write in flight; a chain is here while one is. */
  const waiting = new Map<string, Waiting[]>();

  function append(read: AccessRead): Promise<void> {
    const chain = accessLogChain(read.patient);
    return new Promise((resolve, reject) => {
      const entry: Waiting = { read, settle: (error) => (error ? reject(error) : resolve()) };
      const queue = waiting.get(chain);
      if (queue) return void queue.push(entry);
      waiting.set(chain, []);
      void writeFrom(chain, [entry]);
    });
  }

  async function writeFrom(chain: string, batch: Waiting[]): Promise<void> {
    try {
      await write(
        chain,
        batch.map((entry) => entry.read),
      );
      batch.forEach((entry) => entry.settle());
    } catch (error) {
      batch.forEach((entry) => entry.settle(error));
    }
    const queued = waiting.get(chain)!;
    if (queued.length === 0) return void waiting.delete(chain);
    await writeFrom(chain, queued.splice(0, MAX_BATCH));
  }

  async function write(chain: string, reads: AccessRead[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const head = heads.get(chain) ?? (await readHead(chain));
      const { statement, after } = appendingBatch(head, clock.now(), reads);
      const { rows } = await statement.execute(db);
      if (rows.length === 1) return void heads.set(chain, after);
      heads.delete(chain);
    }
    throw new Error(`The access chain ${chain} kept moving: ${reads.length} reads not appended`);
  }

  async function readHead(chain: string): Promise<ChainHead> {
    const { rows } = await sql<{ head: { seq: number; hash: string } | null }>`SELECT ${chainHeadColumn(chain)} AS head`.execute(db);
    return chainHead(chain, rows[0]!.head);
  }

  return { append };
}
