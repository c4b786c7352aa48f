// Opens the one database: PostgreSQL when a URL is given, otherwise embedded PGlite in a folder
// (or in memory). Both speak the same SQL and run the same migrations.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { embeddedUpkeep, UPKEEP_EVERY_MS } from './embedded-upkeep.js';
import { PGliteDialect } from './pglite-dialect.js';
import { prepareStatementsOn } from './prepared-statements.js';
import type { PlatformTables } from './tables.js';

const INT8_OID = 20;

/** The database of `DB`'s tables (src/database.ts names them all). */
export interface DatabaseHandle<DB = PlatformTables> {
  db: Kysely<DB>;
  engine: 'postgres' | 'pglite';
  /** Runs a multi-statement SQL script (migrations); an open transaction is rolled back on error. */
  runScript(sql: string): Promise<void>;
  /**
   * Follows NOTIFY on `channel` (sent by any process on this database): `onNotify` with each one's payload, and
   * `onLive(false)` whenever notifications may be missed (connection lost; it reconnects),
   * `onLive(true)` once they flow again. Returns the function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLive: (live: boolean) => void): Promise<() => Promise<void>>;
  /** The upkeep autovacuum does on PostgreSQL, done now on the embedded database (embedded-upkeep.ts): the tables it vacuumed or analysed. */
  upkeep(): Promise<string[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; in memory when absent. */
  dataDir?: string;
  poolSize?: number;
}

export function openDatabase<DB>(options: DatabaseOptions): Promise<DatabaseHandle<DB>> {
  return options.url ? openPostgres<DB>(options.url, options.poolSize ?? 10) : openPGlite<DB>(options.dataDir);
}

async function openPostgres<DB>(url: string, poolSize: number): Promise<DatabaseHandle<DB>> {
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
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
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
    listen: (channel, onNotify, onLive) => listenOnPostgres(url, channel, onNotify, onLive),
    upkeep: async () => [],
    close: () => db.destroy(),
  };
}

/** A connection of its own that LISTENs on `channel`, reconnecting (after a second) whenever it is lost. */
async function listenOnPostgres(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  onLive: (live: boolean) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      onLive(false);
      next.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void connect(), 1000).unref();
    };
    next.on('notification', (notification) => onNotify(notification.payload ?? ''));
    next.on('error', lost);
    next.on('end', lost);
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (client === next) onLive(true);
    } catch {
      lost();
    }
  };
  await connect();
  return async () => {
    stopped = true;
    const last = client;
    client = undefined;
    await last?.end().catch(() => undefined);
  };
}

async function openPGlite<DB>(dataDir?: string): Promise<DatabaseHandle<DB>> {
  const pglite = await PGlite.create({ dataDir, parsers: { [INT8_OID]: Number } });
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<DB>({ dialect });
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    const release = await dialect.lock.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
  const upkeep = () => embeddedUpkeep(<T>(statement: string) => locked(async () => (await pglite.query<T>(statement)).rows));
  const upkeepTimer = setInterval(
    () => void upkeep().catch((error: Error) => console.error(`embedded database upkeep failed: ${error.message}`)),
    UPKEEP_EVERY_MS,
  );
  upkeepTimer.unref();
  return {
    db,
    engine: 'pglite',
    upkeep,
    runScript: (script) =>
      locked(async () => {
        try {
          await pglite.exec(script);
        } catch (error) {
          await pglite.exec('ROLLBACK');
          throw error;
        }
      }),
    // One process holds an embedded database, so every NOTIFY reaches it; nothing is ever missed.
    listen: async (channel, onNotify, onLive) => {
      const unlisten = await pglite.listen(channel, onNotify);
      onLive(true);
      return () => unlisten();
    },
    close: async () => {
      clearInterval(upkeepTimer);
      await db.destroy();
      await pglite.close();
    },
  };
}
