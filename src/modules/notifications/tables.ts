// Tables this module owns, as Kysely sees them: the events the parties are told of, and who is told (migrations/ creates them).
import type { Generated, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../platform/tables.js';

/** An organisation told of an event, and the side of the referral it is on. */
export interface Recipient {
  organisation: string;
  side: 'referring' | 'receiving';
}

interface NotificationEventTable {
  id: Generated<number>;
  /** The delivery order, given after commit (null until sequenced). */
  seq: number | null;
  type: string;
  subject_type: 'Referral' | 'AdviceRequest';
  subject_id: number;
  occurred_at: Timestamp;
  data: Json<Record<string, unknown>>;
}

interface NotificationRecipientTable {
  organisation: string;
  side: 'referring' | 'receiving';
  event_id: number;
}

interface WebhookEndpointTable {
  id: Generated<number>;
  organisation: string;
  url: string;
  /** The event types delivered; all when empty. */
  event_types: Json<string[]>;
  secret: string;
  active: Generated<boolean>;
  /** The last event seq the endpoint has taken (or was not sent, not being of its types). */
  delivered_seq: Generated<number>;
  /** How often an administrator replayed it: a turn claimed before a replay keeps nothing of its cursor. */
  replays: Generated<number>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  failing_since: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  created_by: string;
  created_at: Timestamp;
}

/** A topic-based FHIR Subscription to referral changes (R4 Subscriptions Backport IG). */
interface FhirSubscriptionTable {
  id: Generated<number>;
  /** Who created it (the token's subject): who may read and end it. */
  owner: string;
  /** Whose events it is told. */
  audiences: Json<Recipient[]>;
  endpoint: string;
  /** Headers sent with each notification ("Name: value"). */
  headers: Json<string[]>;
  content: 'empty' | 'id-only' | 'full-resource';
  heartbeat_seconds: number | null;
  timeout_seconds: number;
  reason: string;
  ends_at: Timestamp | null;
  status: 'requested' | 'active' | 'error' | 'off';
  handshake_done: Generated<boolean>;
  /** The delivery position when it was created: its events are those after it. */
  start_seq: number;
  delivered_seq: number;
  /** How many of its events it has been sent (the number of the last one). */
  delivered_count: Generated<number>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  last_sent_at: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
}

export interface NotificationTables {
  notification_event: NotificationEventTable;
  notification_recipient: NotificationRecipientTable;
  webhook_endpoint: WebhookEndpointTable;
  fhir_subscription: FhirSubscriptionTable;
}

export type FhirSubscriptionRow = Selectable<FhirSubscriptionTable>;

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;

export type NotificationEventRow = Selectable<NotificationEventTable>;
