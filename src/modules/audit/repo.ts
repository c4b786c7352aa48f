// The append-only audit table: events are appended in the caller's transaction, after locking the
// chain head so concurrent appends queue instead of forking the chain.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { AuditEventRow, Database } from '../../platform/schema.js';
import { chainHash, type ChainedContent } from './chain.js';

export interface AuditEventInput {
  actor: string;
  action: string;
  outcome: 'success' | 'failure';
  entityType: string;
  entityId: string | number;
  referralId?: number | null;
  detail?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  recordedAt: string;
  actor: string;
  action: string;
  outcome: string;
  entityType: string;
  entityId: string;
  referralId: number | null;
  detail: Record<string, unknown>;
}

/** Appends one event; call it inside the transaction of the change it records. */
export async function appendAuditEvent(tx: Kysely<Database>, clock: Clock, input: AuditEventInput): Promise<AuditEvent> {
  const head = await tx
    .selectFrom('audit_chain')
    .select(['last_seq', 'last_hash'])
    .forUpdate()
    .executeTakeFirstOrThrow();
  const event: ChainedContent = {
    seq: head.last_seq + 1,
    recordedAt: clock.now().toISOString(),
    actor: input.actor,
    action: input.action,
    outcome: input.outcome,
    entityType: input.entityType,
    entityId: String(input.entityId),
    referralId: input.referralId ?? null,
    detail: input.detail ?? {},
  };
  const hash = chainHash(head.last_hash, event);
  await tx.insertInto('audit_event').values(toRow(event, head.last_hash, hash)).execute();
  await tx.updateTable('audit_chain').set({ last_seq: event.seq, last_hash: hash }).execute();
  return event as AuditEvent;
}

function toRow(event: ChainedContent, prevHash: string, hash: string) {
  return {
    seq: event.seq,
    recorded_at: event.recordedAt,
    actor: event.actor,
    action: event.action,
    outcome: event.outcome,
    entity_type: event.entityType,
    entity_id: event.entityId,
    referral_id: event.referralId,
    detail: JSON.stringify(event.detail),
    prev_hash: prevHash,
    hash,
  };
}

export function fromAuditRow(row: AuditEventRow): AuditEvent {
  return {
    seq: row.seq,
    recordedAt: row.recorded_at.toISOString(),
    actor: row.actor,
    action: row.action,
    outcome: row.outcome,
    entityType: row.entity_type,
    entityId: row.entity_id,
    referralId: row.referral_id,
    detail: row.detail,
  };
}

/** A referral's audit trail, oldest first. */
export async function listReferralAudit(db: Kysely<Database>, referralId: number): Promise<AuditEvent[]> {
  const rows = await db.selectFrom('audit_event').selectAll().where('referral_id', '=', referralId).orderBy('seq').execute();
  return rows.map(fromAuditRow);
}
