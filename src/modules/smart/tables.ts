// Tables this module owns, as Kysely sees them: the SMART authorization server's stored grants, codes and sessions (migrations/ creates them).
import type { Timestamp, Json } from '../../platform/tables.js';

interface OauthPayloadTable {
  model: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Timestamp | null;
}

export interface SmartTables {
  oauth_payload: OauthPayloadTable;
}
