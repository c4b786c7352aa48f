// Delivering an organisation's events to its webhook endpoints, as the Standard Webhooks
// specification has it (webhook-id, webhook-timestamp and webhook-signature headers, signed with the
// endpoint's secret by the `standardwebhooks` library). Each endpoint has its own cursor and is
// leased to one worker at a time (endpoint-worker.ts), so a slow or dead one delays only itself; its
// events go out several at a time, each referral's in order (in-order-per-subject.ts). An event is
// taken once the endpoint answers 2xx; until then it is offered again, with backoff, and the endpoint
// shows its last error.
import { sql, type Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { backoffMs, CLAIM, createEndpointWorker, failureOf, LEASE_SECONDS, TURN } from './endpoint-worker.js';
import { eventsToldTo } from './feed.js';
import { offerInOrderPerSubject } from './in-order-per-subject.js';
import { post } from './post.js';
import type { NotificationEventRow, WebhookEndpointRow } from './tables.js';

/** Deliveries to one endpoint in flight at once (each of a different referral). */
const IN_FLIGHT = 32;

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

/** An endpoint claimed for a turn, with the events it is due. */
type Claimed = WebhookEndpointRow & { events: NotificationEventRow[] };

/** What a turn achieved: how far the endpoint took its events, and the refusal that stopped it, if one did. */
interface TurnOutcome {
  id: number;
  /** The endpoint's replays when the turn claimed it: the outcome is kept only if no replay came since. */
  replays: number;
  delivered_seq: number;
  /** Failed attempts in a row: 0 after a turn without failure, 1 after one that made progress. */
  attempts: number;
  error: string | null;
  retry_in_seconds: number;
}

export function createWebhookWorker({ db, clock, timeoutMs, pollMs, retryMaxMs, onError }: WebhookWorkerOptions) {
  /** Endpoints due, with events after their cursor, leased to this worker, each with its next events. */
  async function claimDue(): Promise<Claimed[]> {
    const { rows } = await sql<WebhookEndpointRow & { events: Array<NotificationEventRow & { occurred_at: string }> }>`
      WITH claimed AS (
        UPDATE webhook_endpoint SET leased_until = now() + make_interval(secs => ${LEASE_SECONDS})
         WHERE id IN (SELECT id FROM webhook_endpoint
                       WHERE active AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
                         AND EXISTS (SELECT 1 FROM notification_recipient AS recipient
                                      WHERE recipient.organisation = webhook_endpoint.organisation AND recipient.seq > webhook_endpoint.delivered_seq)
                       ORDER BY next_attempt_at LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
        RETURNING *)
      SELECT claimed.*, (SELECT coalesce(jsonb_agg(due ORDER BY due.seq), '[]')
                           FROM (${eventsToldTo(sql`recipient.organisation = claimed.organisation`, sql`claimed.delivered_seq`, TURN)}) AS due) AS events
        FROM claimed`.execute(db);
    return rows.map((row) => ({ ...row, events: row.events.map((event) => ({ ...event, occurred_at: new Date(event.occurred_at) })) }));
  }

  /** Offers the endpoint its events, in order per referral, until one is refused or its turn ends. */
  async function work(endpoint: Claimed, stopping: AbortSignal): Promise<TurnOutcome> {
    const from = Number(endpoint.delivered_seq);
    const signer = new Webhook(endpoint.secret);
    const { takenThrough, failure } = await offerInOrderPerSubject(endpoint.events, from, IN_FLIGHT, async (event) => {
      if (endpoint.event_types.length === 0 || endpoint.event_types.includes(event.type)) await deliver(endpoint.url, signer, event, stopping);
    });
    if (failure === undefined)
      return { id: endpoint.id, replays: endpoint.replays, delivered_seq: takenThrough, attempts: 0, error: null, retry_in_seconds: 0 };
    const attempts = takenThrough > from ? 1 : endpoint.attempts + 1;
    const error = failureOf(failure);
    onError?.(`webhook ${endpoint.id}: ${error}`);
    const retry_in_seconds = backoffMs(attempts, retryMaxMs) / 1000;
    return { id: endpoint.id, replays: endpoint.replays, delivered_seq: takenThrough, attempts, error: error.slice(0, 500), retry_in_seconds };
  }

  /**
   * Keeps each endpoint's cursor and, for one that failed, its error and when to try again; ends their
   * leases. An endpoint replayed while its turn was in flight keeps the replay's cursor: that turn's
   * outcome is dropped (what it delivered is offered again from the replayed point), its lease ended.
   */
  async function keep(outcomes: TurnOutcome[]): Promise<void> {
    await sql`
      WITH outcome AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb)
          AS outcome (id int, replays int, delivered_seq bigint, attempts int, error text, retry_in_seconds float8)
      ), kept AS (
        UPDATE webhook_endpoint AS endpoint
           SET delivered_seq = outcome.delivered_seq, attempts = outcome.attempts, leased_until = NULL,
               next_attempt_at = now() + make_interval(secs => outcome.retry_in_seconds),
               failing_since = CASE WHEN outcome.error IS NULL THEN NULL ELSE coalesce(endpoint.failing_since, now()) END,
               last_error = coalesce(outcome.error, endpoint.last_error),
               last_error_at = CASE WHEN outcome.error IS NULL THEN endpoint.last_error_at ELSE now() END
          FROM outcome
         WHERE endpoint.id = outcome.id AND endpoint.replays = outcome.replays
        RETURNING endpoint.id
      )
      UPDATE webhook_endpoint SET leased_until = NULL
       WHERE id IN (SELECT id FROM outcome) AND id NOT IN (SELECT id FROM kept)`.execute(db);
  }

  async function deliver(url: string, signer: Webhook, event: NotificationEventRow, stopping: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayload(event));
    const id = `evt_${event.seq}`;
    const at = clock.now();
    const signature = signer.sign(id, at, body);
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    await post(url, { headers, body, timeoutMs, stopping }).catch((error: Error) => {
      throw new Error(`${id}: ${error.message}`, { cause: error });
    });
  }

  return createEndpointWorker({ claimDue, claimSize: CLAIM, work, keep, pollMs, onError: (message) => onError?.(`webhooks: ${message}`) });
}
