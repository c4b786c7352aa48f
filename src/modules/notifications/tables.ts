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

export interface NotificationTables {
  notification_event: NotificationEventTable;
  notification_recipient: NotificationRecipientTable;
}

export type NotificationEventRow = Selectable<NotificationEventTable>;
