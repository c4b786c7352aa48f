// Tables this module owns, as Kysely sees them: patients' consent grants (migrations/ creates them).
import type { Generated, Selectable } from 'kysely';
import type { Timestamp } from '../../platform/tables.js';

interface ConsentGrantTable {
  id: Generated<number>;
  patient_id: string;
  client_id: string;
  resource_type: string;
  period_start: Timestamp | null;
  period_end: Timestamp | null;
  source: string;
  status: string;
  granted_by: string;
  granted_as: 'patient' | 'administrator';
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

export interface ConsentTables {
  consent_grant: ConsentGrantTable;
}

export type ConsentGrantRow = Selectable<ConsentGrantTable>;
