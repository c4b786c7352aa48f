// `npm run --silent audit:verify` recomputes the audit chain and says whether it is intact.
// Exit 0 when intact, 1 when broken. With PGlite, stop the server first (one process at a time).
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { verifyAuditChain } from '../src/modules/audit/verify.js';
import { openDatabase } from '../src/database.js';

const config = loadConfig(process.env, []);
const database = await openDatabase({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
try {
  const report = await verifyAuditChain(database.db);
  if (report.intact) {
    console.log(`Audit chains intact: ${report.events} events and batches of reads in ${report.chains} chains verified.`);
  } else {
    const at = report.brokenAt!;
    console.log(`Audit chain ${at.chain} BROKEN at event ${at.seq}: ${at.reason} (${report.events} events verified before it).`);
  }
  process.exitCode = report.intact ? 0 : 1;
} finally {
  await database.close();
}
