// Appending the events of many concurrent requests to one chain without making them queue one by one
// (group commit): this process keeps at most one write in flight per chain, and the events that
// arrive meanwhile go together in the next one — one statement that moves the chain's head once for
// the whole batch. Each append resolves only once its event is committed. The head this process
// last wrote is remembered, so a batch is one round trip; when another process moved the chain
// since, the statement writes nothing, and the batch is chained again onto the head as it is now.
import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { chainedAppend, chainHead, chainHeadColumn, pendingAuditEvent, type AuditEventInput, type ChainHead, type PendingAuditEvent } from './repo.js';

/** How often a batch is chained again while other processes keep moving its chain first. */
const MAX_ATTEMPTS = 50;

interface Waiting {
  event: PendingAuditEvent;
  settle(error?: unknown): void;
}

export interface GroupCommit {
  /** Appends the event; resolves once it is committed. */
  append(input: AuditEventInput): Promise<void>;
}

export function auditGroupCommit(db: Kysely<Database>, clock: Clock): GroupCommit {
  const heads = new LRUCache<string, ChainHead>({ max: 10_000 });
  /** The events waiting for each chain's write in flight; a chain is here while one is. */
  const waiting = new Map<string, Waiting[]>();

  function append(input: AuditEventInput): Promise<void> {
    const event = pendingAuditEvent(clock, input);
    return new Promise((resolve, reject) => {
      const entry: Waiting = { event, settle: (error) => (error ? reject(error) : resolve()) };
      const queue = waiting.get(event.chain);
      if (queue) return void queue.push(entry);
      waiting.set(event.chain, []);
      void writeFrom(event.chain, [entry]);
    });
  }

  async function writeFrom(chain: string, batch: Waiting[]): Promise<void> {
    try {
      await write(
        chain,
        batch.map((entry) => entry.event),
      );
      batch.forEach((entry) => entry.settle());
    } catch (error) {
      batch.forEach((entry) => entry.settle(error));
    }
    const next = waiting.get(chain)!;
    if (next.length === 0) return void waiting.delete(chain);
    waiting.set(chain, []);
    await writeFrom(chain, next);
  }

  async function write(chain: string, events: PendingAuditEvent[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const head = heads.get(chain) ?? (await readHead(chain));
      const { ctes, after } = chainedAppend(head, events);
      const { rows } = await sql<{ appended: number }>`WITH ${ctes} SELECT count(*)::int AS appended FROM audit_appended`.execute(db);
      if (rows[0]!.appended === events.length) return void heads.set(chain, after);
      heads.delete(chain);
    }
    throw new Error(`The audit chain ${chain} kept moving: ${events.length} events not appended`);
  }

  async function readHead(chain: string): Promise<ChainHead> {
    const { rows } = await sql<{ head: { seq: number; hash: string } | null }>`SELECT ${chainHeadColumn(chain)} AS head`.execute(db);
    return chainHead(chain, rows[0]!.head);
  }

  return { append };
}
