// The feed of events each organisation is told, in delivery order. Committed events get their `seq`
// from one sequencer at a time (an advisory lock across processes), so seq follows commit order and a
// reader resuming after seq N misses nothing. Each process wakes its readers when any process records
// events (NOTIFY), and once a second in case a notice was missed.
import { EventEmitter } from 'node:events';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../database.js';
import { coalesced } from '../../platform/coalesced.js';
import { inTransaction } from '../../platform/transactions.js';
import type { Recipient } from './record.js';
import type { NotificationEventRow } from './tables.js';

/** The channel a statement that records events notifies (migration 022's trigger). */
export const NOTIFICATION_EVENTS = 'notification_events';

/** The advisory lock that lets one sequencer run at a time. */
const SEQUENCER_LOCK = 7_261_114;
const BATCH = 1000;
/** How long a wake waits for the commits right behind it. */
const GATHER_MS = 5;

/** Gives every committed event without one its delivery `seq` (and its recipients, by which readers find it), oldest first; how many it sequenced. */
async function sequenceEvents(db: Kysely<Database>): Promise<number> {
  return inTransaction(db, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`.execute(tx);
    const { rows } = await sql<{ count: string }>`
      WITH numbered AS MATERIALIZED (
        SELECT id, nextval('notification_event_seq') AS seq
          FROM (SELECT id FROM notification_event WHERE seq IS NULL ORDER BY id LIMIT ${BATCH}) AS waiting
      ), recipients AS (
        UPDATE notification_recipient AS recipient SET seq = numbered.seq FROM numbered WHERE recipient.event_id = numbered.id AND recipient.seq IS NULL
      ), events AS (
        UPDATE notification_event AS event SET seq = numbered.seq FROM numbered WHERE event.id = numbered.id RETURNING event.id
      )
      SELECT count(*) AS count FROM events`.execute(tx);
    return Number(rows[0]!.count);
  });
}

/** The events told to any of `audiences` after `afterSeq`, in delivery order. */
export async function eventsFor(db: Kysely<Database>, audiences: Recipient[], afterSeq: number, limit: number): Promise<NotificationEventRow[]> {
  if (audiences.length === 0) return [];
  const pairs = audiences.map((audience) => sql`(${audience.organisation}::text, ${audience.side}::text)`);
  const { rows } =
    await sql<NotificationEventRow>`${eventsToldTo(sql`(recipient.organisation, recipient.side) IN (${sql.join(pairs)})`, sql`${afterSeq}`, limit)}`.execute(
      db,
    );
  return rows;
}

/** The statement reading the events after `afterSeq` told to a recipient (`recipient`) meeting `toldTo`, in delivery order. */
export const eventsToldTo = (toldTo: RawBuilder<unknown>, afterSeq: RawBuilder<unknown>, limit: number) => sql`
    SELECT event.* FROM notification_event AS event
     WHERE event.id IN (SELECT recipient.event_id FROM notification_recipient AS recipient
                         WHERE ${toldTo} AND recipient.seq > ${afterSeq} ORDER BY recipient.seq LIMIT ${limit})
     ORDER BY event.seq`;

/** The latest delivery position (of the events before `before`, when given): where a reader starting then begins. */
export async function latestSeq(db: Kysely<Database>, before?: Date): Promise<number> {
  const { rows } = await sql<{
    seq: string | null;
  }>`SELECT max(seq) AS seq FROM notification_event ${before ? sql`WHERE occurred_at < ${before}` : sql``}`.execute(db);
  return Number(rows[0]?.seq ?? 0);
}

/** This process's readers, woken whenever events may have been sequenced. */
export function createNotificationFeed(db: Kysely<Database>, options: { tickMs?: number } = {}) {
  const woken = new EventEmitter();
  woken.setMaxListeners(0);
  let timer: NodeJS.Timeout | undefined;
  /**
   * Sequences what has committed, then wakes the readers. A wake waits a few milliseconds for the
   * commits right behind it (they come in bursts), so they share a run.
   */
  const wake = coalesced(async () => {
    await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
    await sequenceEvents(db).catch(() => 0);
    woken.emit('events');
  });

  return {
    wake,
    onEvents(listener: () => void): () => void {
      woken.on('events', listener);
      return () => woken.off('events', listener);
    },
    start() {
      timer ??= setInterval(() => void wake(), options.tickMs ?? 1000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await wake();
    },
  };
}

export type NotificationFeed = ReturnType<typeof createNotificationFeed>;
