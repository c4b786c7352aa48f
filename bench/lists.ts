// GET /api/referrals at scale: a million referrals, all drafted by one practice, then each clinician's
// list timed — the practice's own (a page of its newest), and those of clinicians whose organisations
// have none of them (City Hospital's Dr Okafor, the cardiology unit's Dr Patel, which receives no
// drafts). A list must cost a page whoever asks, never a walk through everyone's referrals.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:lists -- --referrals 1000000
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { demoClaims } from '../src/modules/demo/identities.js';
import { mintToken } from '../src/modules/identity/tokens.js';
import { importSigningKey } from '../src/platform/keys.js';
import { guideReferral } from '../test/support/harness.js';
import { jwk, startServer, stopServer, tokens, withScratchDatabase } from './support.js';

const { values } = parseArgs({ options: { referrals: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '5' } } });
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it)');
const key = await importSigningKey(jwk);
const bearer = async (name: string) =>
  `Bearer ${await mintToken(key, demoClaims(name), { issuer: 'referral-hub', audience: 'referral-hub-api', ttlSeconds: 3600 })}`;

await withScratchDatabase(adminUrl, async (url) => {
  const server = await startServer({ DATABASE_URL: url, MIRROR_WORKER: 'false' }, { clients: 8 });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const created = await fetch(`${server.base}/api/referrals`, {
      method: 'POST',
      headers: { authorization: tokens['dr-smith']!, 'content-type': 'application/json' },
      body: JSON.stringify(guideReferral()),
    });
    const { id } = (await created.json()) as { id: number };
    const started = Date.now();
    await db.query('ALTER TABLE referral DISABLE TRIGGER USER');
    const columns = `status, patient_id, requester_id, performer_id, receiving_facility_client_id, referral_code, referral_display, priority, reason_codes,
      clinical_note, shared_resource_types, occurrence_date, sending_organisation_id, receiving_organisation_id, created_by, created_at, updated_at`;
    await db.query(`INSERT INTO referral (${columns}) SELECT ${columns} FROM referral, generate_series(1, $2::int) WHERE id = $1`, [
      id,
      Number(values.referrals),
    ]);
    await db.query('ALTER TABLE referral ENABLE TRIGGER USER');
    await db.query('ANALYZE referral');
    console.log(`${Number(values.referrals).toLocaleString('en')} referrals loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const name of ['dr-smith', 'dr-other', 'dr-patel']) {
      const result = await autocannon({
        url: `${server.base}/api/referrals?limit=20`,
        connections: 8,
        duration: Number(values.seconds),
        headers: { authorization: await bearer(name) },
      });
      console.log(
        `GET /api/referrals as ${name.padEnd(9)} requests/s ${result.requests.average.toFixed(0).padStart(6)}  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms${result.non2xx ? `  non-2xx ${result.non2xx}` : ''}`,
      );
    }
  } finally {
    await db.end();
    await stopServer(server.child);
  }
});
