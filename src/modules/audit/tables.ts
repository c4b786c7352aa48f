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

export interface AuditTables {
  audit_event: AuditEventTable;
  audit_chain: AuditChainTable;
}

export type AuditEventRow = Selectable<AuditEventTable>;
