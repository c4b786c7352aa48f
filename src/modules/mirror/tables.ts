// Tables this module owns, as Kysely sees them: the FHIR mirror's outbox and its change log (migrations/ creates them).
import type { Generated } from 'kysely';
import type { Timestamp } from '../../platform/tables.js';

interface FhirOutboxTable {
  resource_type: string;
  resource_id: string;
  change_seq: number;
  delivered_seq: Generated<number>;
  pending_since: Timestamp | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  delivered_at: Timestamp | null;
}

/** The append-only log of changes to mirrored resources, folded into fhir_outbox by the worker. */
interface FhirOutboxChangeTable {
  seq: Generated<number>;
  resource_type: string;
  resource_id: string;
  changed_at: Generated<Timestamp>;
}

export interface MirrorTables {
  fhir_outbox: FhirOutboxTable;
  fhir_outbox_change: FhirOutboxChangeTable;
}
