// Delivering an organisation's events to its webhook endpoints, as the Standard Webhooks
// specification has it (webhook-id, webhook-timestamp and webhook-signature headers, signed with the
// endpoint's secret by the `standardwebhooks` library). Each endpoint has its own cursor and is
// leased to one worker at a time (endpoint-worker.ts), so a slow or dead one delays only itself. An event is taken once the endpoint answers 2xx; until then it is offered again, with
// backoff, and the endpoint shows its last error.
import { sql, type Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { backoffMs, CLAIM, createEndpointWorker, failureOf, LEASE_SECONDS, TURN } from './endpoint-worker.js';
import { eventsFor } from './feed.js';
import type { NotificationEventRow, WebhookEndpointRow } from './tables.js';

export interface WebhookWorkerOptions {
  db: Kysely<Database>;
  clock: Clock;
  /** How long an endpoint has to answer one delivery. */
  timeoutMs: number;
  pollMs: number;
  /** The longest wait between two attempts at a failing endpoint (waits double from a second). */
  retryMaxMs: number;
  onError?: (message: string) => void;
}

/** The body of a delivery: the Standard Webhooks payload shape. */
function webhookPayload(event: NotificationEventRow) {
  return {
    type: event.type,
    timestamp: event.occurred_at.toISOString(),
    data: { subject: `${event.subject_type}/${event.subject_id}`, ...event.data },
  };
}

export function createWebhookWorker({ db, clock, timeoutMs, pollMs, retryMaxMs, onError }: WebhookWorkerOptions) {
  /** Endpoints due, with events after their cursor, leased to this worker. */
  async function claimDue(): Promise<WebhookEndpointRow[]> {
    const { rows } = await sql<WebhookEndpointRow>`
      UPDATE webhook_endpoint SET leased_until = now() + make_interval(secs => ${LEASE_SECONDS})
       WHERE id IN (SELECT id FROM webhook_endpoint
                     WHERE active AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
                       AND EXISTS (SELECT 1 FROM notification_event AS event JOIN notification_recipient AS recipient ON recipient.event_id = event.id
                                    WHERE recipient.organisation = webhook_endpoint.organisation AND event.seq > webhook_endpoint.delivered_seq)
                     ORDER BY next_attempt_at LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(db);
    return rows;
  }

  /** Offers the endpoint its next events in order, until one is refused or its turn ends. */
  async function work(endpoint: WebhookEndpointRow, stopping: AbortSignal): Promise<void> {
    const audiences = [
      { organisation: endpoint.organisation, side: 'referring' as const },
      { organisation: endpoint.organisation, side: 'receiving' as const },
    ];
    let cursor = Number(endpoint.delivered_seq);
    try {
      for (const event of await eventsFor(db, audiences, cursor, TURN)) {
        if (endpoint.event_types.length === 0 || endpoint.event_types.includes(event.type)) await deliver(endpoint, event, stopping);
        cursor = Number(event.seq);
      }
      await db
        .updateTable('webhook_endpoint')
        .set({ delivered_seq: cursor, attempts: 0, failing_since: null, leased_until: null, next_attempt_at: sql`now()` })
        .where('id', '=', endpoint.id)
        .execute();
    } catch (error) {
      const attempts = cursor > Number(endpoint.delivered_seq) ? 1 : endpoint.attempts + 1;
      const backoff = backoffMs(attempts, retryMaxMs);
      const message = failureOf(error);
      onError?.(`webhook ${endpoint.id}: ${message}`);
      await db
        .updateTable('webhook_endpoint')
        .set({
          delivered_seq: cursor,
          attempts,
          leased_until: null,
          next_attempt_at: sql`now() + make_interval(secs => ${backoff / 1000})`,
          failing_since: sql`coalesce(failing_since, now())`,
          last_error: message.slice(0, 500),
          last_error_at: sql`now()`,
        })
        .where('id', '=', endpoint.id)
        .execute();
    }
  }

  async function deliver(endpoint: WebhookEndpointRow, event: NotificationEventRow, stopping: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayload(event));
    const id = `evt_${event.seq}`;
    const at = clock.now();
    const signature = new Webhook(endpoint.secret).sign(id, at, body);
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping]),
      redirect: 'manual',
    });
    await response.body?.cancel();
    // The URL stays out of the error (it is logged and shown): some carry a token in their query.
    if (response.status < 200 || response.status > 299) throw new Error(`the endpoint answered ${response.status} to ${id}`);
  }

  return createEndpointWorker({ claimDue, claimSize: CLAIM, work, pollMs, onError: (message) => onError?.(`webhooks: ${message}`) });
}
