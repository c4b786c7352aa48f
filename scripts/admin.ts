// `npm run admin -- <command>`: administers the directory against DATABASE_URL, or the embedded
// database in DATA_DIR (stop a PGlite server first: only one process may hold it). See the README.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { adminUsage, runAdminCommand } from '../src/modules/directory/cli.js';
import { AppError } from '../src/platform/errors.js';
import { systemClock } from '../src/platform/clock.js';
import { openDatabase } from '../src/database.js';
import { loadSigningKey } from '../src/platform/keys.js';
import { migrate } from '../src/platform/migrate.js';

const args = process.argv.slice(2);
if (args.length === 0 || args[0] === 'help') {
  console.log(adminUsage());
  process.exit(args.length === 0 ? 2 : 0);
}
const config = loadConfig(process.env, []);
const pgliteDir = path.join(config.dataDir, 'pglite');
if (!config.databaseUrl) await mkdir(pgliteDir, { recursive: true });
const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir, poolSize: 2 });
let exitCode = 0;
try {
  await migrate(database);
  const signingKey = await loadSigningKey({ jwk: config.signingKeyJwk, dataDir: config.dataDir });
  console.log(await runAdminCommand({ db: database.db, clock: systemClock, signingKey, jwt: config.jwt, publicBaseUrl: config.publicBaseUrl }, args));
} catch (error) {
  console.error(error instanceof AppError ? `${error.code}: ${error.message}` : (error as Error).message);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);
