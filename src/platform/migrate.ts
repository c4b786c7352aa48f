// Applies the plain SQL files in migrations/ in name order, each once, each in its own transaction.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DatabaseHandle } from './db.js';
import { platformTablesOf, type PlatformTables } from './tables.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
/** Held while a file is applied, so processes starting together apply each file once. */
const MIGRATION_LOCK_ID = 72_410_001;
const UNIQUE_VIOLATION = '23505';

/** Brings the schema up to date; returns the names of the files it applied. */
export async function migrate<DB extends PlatformTables>(handle: DatabaseHandle<DB>, dir = MIGRATIONS_DIR): Promise<string[]> {
  await handle.runScript('CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL)');
  const done = new Set((await platformTablesOf(handle.db).selectFrom('schema_migration').select('name').execute()).map((row) => row.name));
  const pending = (await readdir(dir)).filter((name) => name.endsWith('.sql') && !done.has(name)).sort();
  const applied: string[] = [];
  for (const name of pending) {
    if (await applyOnce(handle, name, await readFile(`${dir}/${name}`, 'utf8'))) applied.push(name);
  }
  return applied;
}

/** Records the file first: a process that lost the race fails on the primary key and skips it. */
async function applyOnce<DB>(handle: DatabaseHandle<DB>, name: string, script: string): Promise<boolean> {
  const quoted = name.replaceAll("'", "''");
  try {
    await handle.runScript(`BEGIN;
      SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID});
      INSERT INTO schema_migration (name, applied_at) VALUES ('${quoted}', now());
      ${script}
      ;
      COMMIT;`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
    throw error;
  }
}
