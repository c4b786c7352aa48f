// Delivering FHIR Subscriptions over the rest-hook channel: first the handshake (the subscription is
// `active` once its endpoint takes it), then each of its events as a notification Bundle, numbered in
// order, and a heartbeat when nothing was sent for its heartbeat period. Worked as webhook endpoints
// are (endpoint-worker.ts): its own cursor and lease; a failure leaves it `error`, retried with backoff.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Bundle } from '@medplum/fhirtypes';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { backoffMs, CLAIM, createEndpointWorker, failureOf, LEASE_SECONDS, TURN } from './endpoint-worker.js';
import { eventsFor } from './feed.js';
import { post } from './post.js';
import { isTopicEvent, notificationBundle, type NotificationType } from './subscription-bundles.js';
import { withFocus, type FocusReader } from './subscriptions.js';
import type { FhirSubscriptionRow } from './tables.js';

export interface SubscriptionWorkerOptions {
  db: Kysely<Database>;
  clock: Clock;
  fhirBaseUrl: string;
  focus: FocusReader;
  pollMs: number;
  retryMaxMs: number;
  onError?: (message: string) => void;
}

type Due = FhirSubscriptionRow & { heartbeat_due: boolean };

/** What a turn achieved: the subscription's progress, and its status after it. */
interface TurnOutcome {
  id: number;
  delivered_seq: number;
  delivered_count: number;
  handshake_done: boolean;
  sent: boolean;
  status: 'active' | 'error';
  attempts: number;
  error: string | null;
  retry_in_seconds: number;
}

export function createSubscriptionWorker({ db, clock, fhirBaseUrl, focus, pollMs, retryMaxMs, onError }: SubscriptionWorkerOptions) {
  /** Subscriptions due a handshake, a heartbeat or events, leased to this worker. */
  async function claimDue(): Promise<Due[]> {
    const { rows } = await sql<Due>`
      UPDATE fhir_subscription AS subscription SET leased_until = now() + make_interval(secs => ${LEASE_SECONDS})
       WHERE id IN (SELECT id FROM fhir_subscription AS due
                     WHERE status <> 'off' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
                       AND (ends_at IS NULL OR ends_at > now())
                       AND (NOT handshake_done OR ${heartbeatDue(sql.raw('due'))}
                            OR EXISTS (SELECT 1 FROM jsonb_to_recordset(due.audiences) AS audience (organisation text, side text)
                                         JOIN notification_recipient AS recipient
                                           ON recipient.organisation = audience.organisation AND recipient.side = audience.side
                                        WHERE recipient.seq > due.delivered_seq))
                     ORDER BY next_attempt_at LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
      RETURNING subscription.*, ${heartbeatDue(sql.raw('subscription'))} AS heartbeat_due`.execute(db);
    return rows;
  }

  /** Sends the handshake if not yet taken, the events due, or a heartbeat when nothing was sent for its period. */
  async function work(subscription: Due, stopping: AbortSignal): Promise<TurnOutcome> {
    let cursor = Number(subscription.delivered_seq);
    let count = Number(subscription.delivered_count);
    let handshakeDone = subscription.handshake_done;
    let sent = false;
    const send = async (type: NotificationType, events: Parameters<typeof notificationBundle>[4] = []) => {
      await postBundle(
        subscription,
        notificationBundle({ ...subscription, status: 'active' }, fhirBaseUrl, type, count + events.length, events, clock.now()),
        stopping,
      );
      sent = true;
    };
    const progress = () => ({ id: subscription.id, delivered_seq: cursor, delivered_count: count, handshake_done: handshakeDone, sent });
    try {
      if (!handshakeDone) {
        await send('handshake');
        handshakeDone = true;
      }
      for (const event of await eventsFor(db, subscription.audiences, cursor, TURN)) {
        if (isTopicEvent(event.type)) {
          await send('event-notification', [await withFocus(subscription, focus, count + 1, event)]);
          count++;
        }
        cursor = Number(event.seq);
      }
      if (!sent && subscription.heartbeat_due) await send('heartbeat');
      return { ...progress(), status: 'active', attempts: 0, error: null, retry_in_seconds: 0 };
    } catch (error) {
      const attempts = sent ? 1 : subscription.attempts + 1;
      onError?.(`subscription ${subscription.id}: ${failureOf(error)}`);
      return { ...progress(), status: 'error', attempts, error: failureOf(error).slice(0, 500), retry_in_seconds: backoffMs(attempts, retryMaxMs) / 1000 };
    }
  }

  /** Keeps each subscription's progress and status (unless it was ended meanwhile), and ends their leases. */
  async function keep(outcomes: TurnOutcome[]): Promise<void> {
    await sql`
      UPDATE fhir_subscription AS subscription
         SET delivered_seq = outcome.delivered_seq, delivered_count = outcome.delivered_count, handshake_done = outcome.handshake_done,
             status = outcome.status, attempts = outcome.attempts, last_error = outcome.error, leased_until = NULL,
             next_attempt_at = now() + make_interval(secs => outcome.retry_in_seconds),
             last_sent_at = CASE WHEN outcome.sent THEN now() ELSE subscription.last_sent_at END
        FROM jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb) AS outcome
             (id int, delivered_seq bigint, delivered_count int, handshake_done boolean, sent boolean,
              status text, attempts int, error text, retry_in_seconds float8)
       WHERE subscription.id = outcome.id AND subscription.status <> 'off'`.execute(db);
  }

  async function postBundle(subscription: FhirSubscriptionRow, bundle: Bundle, stopping: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
    for (const line of subscription.headers) {
      const at = line.indexOf(':');
      headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
    await post(subscription.endpoint, { headers, body: JSON.stringify(bundle), timeoutMs: subscription.timeout_seconds * 1000, stopping });
  }

  return createEndpointWorker({ claimDue, claimSize: CLAIM, work, keep, pollMs, onError: (message) => onError?.(`subscriptions: ${message}`) });
}

/** Whether a subscription (by its alias in the statement) has sent nothing for its heartbeat period. */
const heartbeatDue = (alias: RawBuilder<unknown>) =>
  sql`(${alias}.heartbeat_seconds IS NOT NULL AND coalesce(${alias}.last_sent_at, ${alias}.created_at) + make_interval(secs => ${alias}.heartbeat_seconds) <= now())`;
