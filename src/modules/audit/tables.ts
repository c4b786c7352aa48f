// Tables this module owns, as Kysely sees them: the audit events and the head of each hash chain (migrations/ creates them).
import type { Generated, Selectable } from 'kysely';
import type { Timestamp, Json } from '../../platform/tables.js';

interface AuditEventTable {
  seq: Generated<number>;
  chain: string;
  chain_seq: number;
  recorded_at: Timestamp;
  actor: string;
  action: string;
  outcome: string;
  entity_type: string;
  entity_id: string;
  referral_id: number | null;
  detail: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
  hash_scheme: number;
}

interface AuditChainTable {
  chain: string;
  last_seq: number;
  last_hash: string;
}

/** A batch of the access log: the reads of one patient's records one process audited together. */
interface AccessLogTable {
  id: Generated<number>;
  chain: string;
  chain_seq: number;
  written_at: Timestamp;
  reads: Json<AccessRead[]>;
  prev_hash: string;
  hash: string;
  hash_scheme: number;
}

/** One decision on a SMART app's read of a patient's records, as the access log keeps it. */
export interface AccessRead {
  at: string;
  clientId: string;
  /** `Patient/<id>` */
  patient: string;
  resourceType: string;
  interaction: 'read' | 'search';
  decision: 'permit' | 'deny';
  /** Why it was refused. */
  reason?: string;
}

export interface AuditTables {
  audit_event: AuditEventTable;
  audit_chain: AuditChainTable;
  access_log: AccessLogTable;
}

export type AccessLogRow = Selectable<AccessLogTable>;

export type AuditEventRow = Selectable<AuditEventTable>;
