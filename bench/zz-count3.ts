import pg from 'pg';
import { launchDemoApp } from '../test/support/smart-launch.js';
import { startServer, stopServer, withScratchDatabase, tokens } from './support.js';
await withScratchDatabase('postgres://postgres@127.0.0.1:5432/postgres', async (url) => {
  const env = { DATABASE_URL: url, DEMO_PATIENT_PASSWORD: 'bench-reads-password', MIRROR_WORKER: 'false' };
  const s2 = await startServer(env, { clients: 4 });
  try {
  console.log('started');
  const smart = `Bearer ${await launchDemoApp(s2.base, { password: 'bench-reads-password', allow: ['Observation'] })}`;
  console.log('launched');
  const r = await fetch(`${s2.base}/fhir/Observation?patient=ePatient-8675309`, { headers: { authorization: tokens.admin! } });
  const id = (await r.json()).entry[0].resource.id;
  const c = new pg.Client({ connectionString: url }); await c.connect();
  const stats = async () => (await c.query(`select relname, seq_scan, idx_scan, n_tup_ins from pg_stat_user_tables where relname in ('oauth_payload','consent_grant','patient_account','audit_event','audit_chain','fhir_resource','smart_client') order by 1`)).rows;
  for (const t of [smart, smart, smart]) await (await fetch(`${s2.base}/fhir/Observation/${id}`, { headers: { authorization: t } })).text();
  await new Promise(r => setTimeout(r, 1000));
  const before = await stats(); await c.query('select pg_stat_clear_snapshot()');
  for (let i = 0; i < 100; i++) await (await fetch(`${s2.base}/fhir/Observation/${id}`, { headers: { authorization: smart } })).text();
  await new Promise(r => setTimeout(r, 1000));
  await c.query('select pg_stat_clear_snapshot()');
  const after = await stats();
  console.log(before, after);
  const x = await c.query(`select sum(xact_commit) from pg_stat_database where datname = current_database()`);
  console.log(x.rows);
  await c.end();
  } finally { await stopServer(s2.child); }
});
