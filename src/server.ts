// Starts Referral Hub: opens the database (PGlite in DATA_DIR unless DATABASE_URL is set), migrates,
// loads demo data in demo mode, listens, and shuts down cleanly on SIGINT/SIGTERM.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { seedDemoClinicalRecord } from './modules/demo/clinical-record.js';
import { DEMO_CLINICIANS, seedDemoClinicians, seedDemoData, seedDemoDirectory, seedDemoPortal } from './modules/demo/seed.js';
import { systemClock } from './platform/clock.js';
import { openDatabase } from './database.js';
import { loadSigningKey } from './platform/keys.js';
import { migrate } from './platform/migrate.js';

const config = loadConfig();
const pgliteDir = path.join(config.dataDir, 'pglite');
if (!config.databaseUrl) await mkdir(pgliteDir, { recursive: true });
const database = await openDatabase({ url: config.databaseUrl, dataDir: pgliteDir, poolSize: config.dbPoolSize });
await migrate(database);
const signingKey = await loadSigningKey({ jwk: config.signingKeyJwk, dataDir: config.dataDir });
const oidcSigningKey = await loadSigningKey({ jwk: config.oidcSigningKeyJwk, dataDir: config.dataDir, file: 'oidc-signing-key.json' });
if (config.demo) {
  await seedDemoDirectory(database.db, systemClock, config.publicBaseUrl);
  await seedDemoPortal(database.db, systemClock, config.demoPatientPassword);
  await seedDemoClinicians(database.db, systemClock, config.demoClinicianPassword);
}
const seeded = config.demo ? await seedDemoData(database.db, systemClock) : false;
const app = await buildApp({ config, db: database.db, engine: database.engine, listen: database.listen, clock: systemClock, signingKey, oidcSigningKey });
await app.listen({ port: config.port, host: config.host });
// The demo patient's record lives on /fhir, which only the referral side serves (not `--only consent`).
if (config.demo && config.modules.includes('referrals')) {
  await seedDemoClinicalRecord(database.db, app.fhirBackend).catch((error: Error) => console.warn(`Demo clinical record not loaded: ${error.message}`));
}

const base = `http://localhost:${config.port}`;
console.log(`Referral Hub listening on ${base} (${database.engine}${config.databaseUrl ? '' : ` in ${pgliteDir}`}); API docs at ${base}/docs`);
if (config.demo) {
  if (seeded) console.log('Demo data loaded.');
  console.log('Demo mode. Get a token for dr-smith, dr-patel, dr-other, patient or admin with:');
  const referralSide = config.modules.includes('referrals');
  const example = referralSide ? `${base}/api/referrals` : `"${base}/api/consent?patientId=ePatient-8675309"`;
  console.log(`  curl -H "Authorization: Bearer $(npm run --silent token -- ${referralSide ? 'dr-smith' : 'patient'})" ${example}`);
  if (referralSide) console.log(`Demo SMART app: ${config.publicBaseUrl}/demo/smart-app`);
  if (referralSide) console.log(`Clinicians sign in as ${DEMO_CLINICIANS.join(', ')}: password from DEMO_CLINICIAN_PASSWORD, "clinician-demo" by default`);
  if (config.modules.includes('consent')) {
    console.log(`Consent portal: ${base}/consent/portal (demo patient: username "patient", password from DEMO_PATIENT_PASSWORD, "consent-demo" by default)`);
  }
} else {
  console.log('No demo data (DEMO is not true). On a new install, create the first administrator with: npm run admin -- bootstrap');
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (closing) return;
    closing = true;
    // In-flight requests finish and the mirror worker stops; past ten seconds the process goes anyway.
    setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    await database.close();
    console.log(`Referral Hub stopped (${signal})`);
    process.exit(0);
  });
}
