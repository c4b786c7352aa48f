// Tables this module owns, as Kysely sees them: which demo seeds have run (migrations/ creates them).
import type { Timestamp } from '../../platform/tables.js';

interface SeedRunTable {
  name: string;
  applied_at: Timestamp;
}

export interface DemoTables {
  seed_run: SeedRunTable;
}
