// Administering webhooks: an administrator registers an endpoint for an organisation (its secret
// shown once), sees each endpoint's progress and failures, replays its deliveries from a point in
// time, and retires it.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { directoryRuleBroken, notFound, validationFailed } from '../../platform/errors.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { latestSeq } from './feed.js';
import type { WebhookEndpointRow } from './tables.js';

export interface RegisterWebhookInput {
  organisation: string;
  url: string;
  eventTypes?: string[];
}

/** Pending deliveries are counted up to here. */
const PENDING_CAP = 1000;

/** How many of its organisation's events wait for an endpoint (counted up to PENDING_CAP), read with the endpoint's row. */
const pending = sql<number>`(SELECT count(DISTINCT event_id)::int FROM (
    SELECT recipient.event_id FROM notification_recipient AS recipient
     WHERE recipient.organisation = webhook_endpoint.organisation AND recipient.seq > webhook_endpoint.delivered_seq
     LIMIT ${PENDING_CAP}) AS waiting)`.as('pending');

export function createWebhookAdmin({ db, clock, directory }: { db: Kysely<Database>; clock: Clock; directory: DirectoryLookup }) {
  async function registerWebhook(caller: Caller, input: RegisterWebhookInput) {
    requireRole(caller, 'admin');
    assertUrl(input.url);
    const organisation = await directory.organization(input.organisation);
    if (!organisation) {
      throw directoryRuleBroken(
        422,
        'ORGANISATION_NOT_IN_DIRECTORY',
        `organisation: ${input.organisation} is not an organisation in the directory`,
        'body.organisation',
      );
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const row = await db
      .insertInto('webhook_endpoint')
      .values({
        organisation: input.organisation,
        url: input.url,
        event_types: JSON.stringify(input.eventTypes ?? []),
        secret,
        delivered_seq: await latestSeq(db),
        next_attempt_at: clock.now(),
        created_by: caller.sub,
        created_at: clock.now(),
      })
      .returningAll()
      .returning(pending)
      .executeTakeFirstOrThrow();
    return { ...toWebhookView(row), secret };
  }

  async function listWebhooks(caller: Caller) {
    requireRole(caller, 'admin');
    const rows = await db.selectFrom('webhook_endpoint').selectAll().select(pending).where('active', '=', true).orderBy('id').execute();
    return rows.map(toWebhookView);
  }

  /** Offers the endpoint again every event of its organisation since `from`. */
  async function replayWebhook(caller: Caller, id: number, from: Date) {
    requireRole(caller, 'admin');
    const deliveredSeq = await latestSeq(db, from);
    const row = await db
      .updateTable('webhook_endpoint')
      .set({ delivered_seq: deliveredSeq, replays: sql`replays + 1`, attempts: 0, next_attempt_at: sql`now()` })
      .where('id', '=', id)
      .where('active', '=', true)
      .returningAll()
      .returning(pending)
      .executeTakeFirst();
    if (!row) throw notFound(`Webhook ${id}`);
    return toWebhookView(row);
  }

  async function retireWebhook(caller: Caller, id: number): Promise<void> {
    requireRole(caller, 'admin');
    const retired = await db.updateTable('webhook_endpoint').set({ active: false }).where('id', '=', id).where('active', '=', true).executeTakeFirst();
    if (Number(retired.numUpdatedRows) === 0) throw notFound(`Webhook ${id}`);
  }

  /** An endpoint as administrators see it (never its secret): where it is, what waits, how it fails. */
  function toWebhookView(row: WebhookEndpointRow & { pending: number }) {
    return {
      id: row.id,
      organisation: row.organisation,
      url: row.url,
      eventTypes: row.event_types,
      deliveredUpTo: Number(row.delivered_seq),
      pending: row.pending,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at.toISOString(),
      failingSince: row.failing_since?.toISOString() ?? null,
      lastError: row.last_error,
      lastErrorAt: row.last_error_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    };
  }

  return { registerWebhook, listWebhooks, replayWebhook, retireWebhook };
}

/** An endpoint's URL: http or https, without credentials in it; `field` names it in the refusal. */
export function assertUrl(url: string, field = 'body.url'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationFailed(field, 'is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw validationFailed(field, 'must be an http or https URL');
  if (parsed.username || parsed.password) throw validationFailed(field, 'must not carry credentials');
}

export type WebhookAdmin = ReturnType<typeof createWebhookAdmin>;
