// The databases tests run on: embedded PGlite always, and a real PostgreSQL when TEST_DATABASE_URL
// is set (each opened database is a fresh one, dropped afterwards).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/database.js';
import { migrate } from '../../src/platform/migrate.js';

export interface TestEngine {
  name: 'pglite' | 'postgres';
  /** A new, migrated, empty database. */
  open(): Promise<DatabaseHandle>;
}

const pglite: TestEngine = {
  name: 'pglite',
  async open() {
    const handle = await openDatabase({});
    await migrate(handle);
    return handle;
  },
};

function postgres(adminUrl: string): TestEngine {
  return {
    name: 'postgres',
    async open() {
      const name = `rh_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const handle = await openDatabase({ url: url.toString(), poolSize: 20 });
      await migrate(handle);
      return {
        ...handle,
        close: async () => {
          await handle.close();
          await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        },
      };
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function testEngines(): TestEngine[] {
  const url = process.env.TEST_DATABASE_URL;
  return url ? [pglite, postgres(url)] : [pglite];
}
