// The whole database as Kysely sees it: every module's own tables (each declared in the module's
// tables.ts) put together. Modules type their connection with it; none declares another's tables.
// The service, its scripts, benchmarks and tests open it here.
import type { AuditTables } from './modules/audit/tables.js';
import type { ConsentTables } from './modules/consent/tables.js';
import type { DemoTables } from './modules/demo/tables.js';
import type { DirectoryTables } from './modules/directory/tables.js';
import type { FhirTables } from './modules/fhir/tables.js';
import type { MirrorTables } from './modules/mirror/tables.js';
import type { PortalTables } from './modules/portal/tables.js';
import type { ReferralTables } from './modules/referrals/tables.js';
import type { NotificationTables } from './modules/notifications/tables.js';
import type { SmartTables } from './modules/smart/tables.js';
import { openDatabase as openTables, type DatabaseHandle as PlatformDatabaseHandle, type DatabaseOptions } from './platform/db.js';
import type { PlatformTables } from './platform/tables.js';

export type Database = PlatformTables &
  ReferralTables &
  NotificationTables &
  ConsentTables &
  AuditTables &
  DirectoryTables &
  FhirTables &
  MirrorTables &
  PortalTables &
  SmartTables &
  DemoTables;

export type DatabaseHandle = PlatformDatabaseHandle<Database>;

export const openDatabase = (options: DatabaseOptions): Promise<DatabaseHandle> => openTables<Database>(options);
