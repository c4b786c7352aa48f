// Recording events: within a change's own statement (after its audit chain moved, as the audit's own
// appends are) or in its transaction. Each event names the organisations told of it and the side
// they are on, as entitled at that moment; nothing is recorded when the change is not.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../database.js';
import type { Recipient } from './tables.js';

export type { Recipient };

export interface PendingNotification {
  type: string;
  subjectType: 'Referral' | 'AdviceRequest';
  subjectId: number;
  occurredAt: Date;
  data: Record<string, unknown>;
  recipients: Recipient[];
}

/**
 * The common table expressions that record `events` within a larger statement, once `guard` (a CTE
 * the statement writes only when its change holds, e.g. `audit_head`) has a row. Ids are drawn in the
 * events' order.
 */
export function recordingNotifications(events: PendingNotification[], guard: string): RawBuilder<unknown> {
  if (events.length === 0) return sql`notifications_recorded AS (SELECT NULL::bigint AS id WHERE false)`;
  const values = events.map(
    (event, index) =>
      sql`(${index}::int, ${event.type}::text, ${event.subjectType}::text, ${event.subjectId}::int, ${event.occurredAt}::timestamptz, ${JSON.stringify(event.data)}::jsonb)`,
  );
  const recipients = events.flatMap((event, index) => event.recipients.map((r) => sql`(${index}::int, ${r.organisation}::text, ${r.side}::text)`));
  const recipientsWritten =
    recipients.length === 0
      ? sql``
      : sql`, notification_recipients_recorded AS (
    INSERT INTO notification_recipient (organisation, side, event_id)
    SELECT DISTINCT recipient.organisation, recipient.side, drawn.id
      FROM (VALUES ${sql.join(recipients)}) AS recipient (ord, organisation, side) JOIN notification_ids AS drawn USING (ord))`;
  return sql`notification_ids AS (
      SELECT event.*, nextval(pg_get_serial_sequence('notification_event', 'id')) AS id
        FROM (VALUES ${sql.join(values)}) AS event (ord, type, subject_type, subject_id, occurred_at, data), ${sql.table(guard)}
    ), notifications_recorded AS (
      INSERT INTO notification_event (id, type, subject_type, subject_id, occurred_at, data) OVERRIDING SYSTEM VALUE
      SELECT id, type, subject_type, subject_id, occurred_at, data FROM notification_ids ORDER BY ord
      RETURNING id
    )${recipientsWritten}`;
}

/** Records `events` in the caller's transaction (changes that are not one statement). */
export async function recordNotifications(tx: Kysely<Database>, events: PendingNotification[]): Promise<void> {
  if (events.length === 0) return;
  await sql`WITH guard AS (SELECT 1), ${recordingNotifications(events, 'guard')} SELECT 1`.execute(tx);
}
