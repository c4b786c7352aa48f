// Opens the one database: PostgreSQL when a URL is given, otherwise embedded PGlite in a folder
// (or in memory). Both speak the same SQL and run the same migrations.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import { prepareStatementsOn } from './prepared-statements.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: 'postgres' | 'pglite';
  /** Runs a multi-statement SQL script (migrations); an open transaction is rolled back on error. */
  runScript(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; in memory when absent. */
  dataDir?: string;
  poolSize?: number;
}

export function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10) : openPGlite(options.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool replaces it on next use. The message is logged without the query or its values.
  pool.on('connect', prepareStatementsOn);
  pool.on('error', (error) => console.error(`database connection lost: ${(error as { code?: string }).code ?? error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'postgres',
    runScript: async (script) => {
      const client = await pool.connect();
      try {
        await client.query(script);
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

async function openPGlite(dataDir?: string): Promise<DatabaseHandle> {
  const pglite = await PGlite.create({ dataDir, parsers: { [INT8_OID]: Number } });
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    engine: 'pglite',
    runScript: async (script) => {
      const release = await dialect.lock.acquire();
      try {
        await pglite.exec(script);
      } catch (error) {
        await pglite.exec('ROLLBACK');
        throw error;
      } finally {
        release();
      }
    },
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
