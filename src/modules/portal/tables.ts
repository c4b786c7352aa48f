// Tables this module owns, as Kysely sees them: the consent portal's sessions (migrations/ creates them).
import type { Timestamp } from '../../platform/tables.js';

interface PortalSessionTable {
  id_hash: string;
  username: string;
  patient_id: string;
  started_at: Timestamp;
  expires_at: Timestamp;
}

export interface PortalTables {
  portal_session: PortalSessionTable;
}
