// Tables this module owns, as Kysely sees them: the embedded FHIR store: current resources and their history (migrations/ creates them).
import type { Generated } from 'kysely';
import type { Timestamp, Json } from '../../platform/tables.js';

interface FhirResourceTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Timestamp;
  deleted: Generated<boolean>;
  compartments: string[];
  statuses: string[];
  identifiers: string[];
  content: Json<Record<string, unknown>>;
}

interface FhirResourceHistoryTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Timestamp;
  deleted: boolean;
  content: Json<Record<string, unknown>>;
}

export interface FhirTables {
  fhir_resource: FhirResourceTable;
  fhir_resource_history: FhirResourceHistoryTable;
}
