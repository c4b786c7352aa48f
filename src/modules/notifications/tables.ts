// Tables this module owns, as Kysely sees them: the events the parties are told of, and who is told (migrations/ creates them).
import type { Generated, Selectable } from 'kysely';
import type { Json, Timestamp } from '../../platform/tables.js';

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
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  failing_since: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  created_by: string;
  created_at: Timestamp;
}

export interface NotificationTables {
  notification_event: NotificationEventTable;
  notification_recipient: NotificationRecipientTable;
  webhook_endpoint: WebhookEndpointTable;
}

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>;

export type NotificationEventRow = Selectable<NotificationEventTable>;
