// The database's column conventions as Kysely sees them, and the platform's own tables: applied
// migrations, stored idempotent answers, request-limit windows.
// Each module declares its own tables beside its code (tables.ts); src/database.ts puts them together.
import type { ColumnType, Kysely, Transaction } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type Json<T> = ColumnType<T, string, string>;

interface IdempotencyRecordTable {
  actor: string;
  operation: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: ColumnType<unknown, string | null, string | null> | null;
  created_at: Timestamp;
}

interface SchemaMigrationTable {
  name: string;
  applied_at: Timestamp;
}

interface RateLimitWindowTable {
  key: string;
  window_start: number;
  hits: number;
}

export interface PlatformTables {
  idempotency_record: IdempotencyRecordTable;
  schema_migration: SchemaMigrationTable;
  rate_limit_window: RateLimitWindowTable;
}

/** The platform's view of a database that holds its tables among others. */
export const platformTablesOf = <DB extends PlatformTables>(db: Kysely<DB> | Transaction<DB>): Kysely<PlatformTables> =>
  db as unknown as Kysely<PlatformTables>;
