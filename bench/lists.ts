// Lists and worklists at scale: a million referrals, all drafted by one practice for the cardiology
// unit, then each clinician's list timed — the practice's own (a page of its newest), and those of
// clinicians whose organisations have none of them (City Hospital's Dr Okafor; the cardiology unit's
// Dr Patel, which receives no drafts) — the cardiology unit's inbox (one referral sent), and both
// clinicians' worklists with their counts (the practice's drafts list holds the million). The
// server has answered each request before the data grew, as a running server has: a plan its
// connections cached while the tables were small must not outlive them. A list must cost a page
// whoever asks. Last, /health with a million changes waiting for the mirror.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:lists -- --referrals 1000000
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { guideReferral } from '../test/support/harness.js';
import { startServer, stopServer, tokens, withScratchDatabase } from './support.js';

const { values } = parseArgs({ options: { referrals: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '5' } } });
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it)');

await withScratchDatabase(adminUrl, async (url) => {
  const server = await startServer({ DATABASE_URL: url, MIRROR_WORKER: 'false' }, { clients: 8 });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const draft = async () => {
      const created = await fetch(`${server.base}/api/referrals`, {
        method: 'POST',
        headers: { authorization: tokens['dr-smith']!, 'content-type': 'application/json' },
        body: JSON.stringify(guideReferral()),
      });
      return ((await created.json()) as { id: number }).id;
    };
    const id = await draft();
    await fetch(`${server.base}/api/referrals/${await draft()}/send`, { method: 'POST', headers: { authorization: tokens['dr-smith']! } });
    const requests = [
      ...['dr-smith', 'dr-other', 'dr-patel'].map((name) => ({
        label: `GET /api/referrals as ${name}`,
        path: '/api/referrals?limit=20',
        authorization: tokens[name]!,
      })),
      {
        label: 'GET /api/referrals/inbox (cardiology)',
        path: '/api/referrals/inbox?performerId=Organization/royal-london-cardiology',
        authorization: tokens['dr-patel']!,
      },
      ...['dr-smith', 'dr-patel'].map((name) => ({ label: `GET /api/worklists as ${name}`, path: '/api/worklists', authorization: tokens[name]! })),
      { label: 'GET /api/worklists/drafts (dr-smith)', path: '/api/worklists/drafts', authorization: tokens['dr-smith']! },
      { label: 'GET /api/worklists/new (dr-patel)', path: '/api/worklists/new', authorization: tokens['dr-patel']! },
      { label: 'GET /health', path: '/health', authorization: '' },
    ];
    const drive = (request: (typeof requests)[number], options: { duration?: number; amount?: number }) =>
      autocannon({ url: `${server.base}${request.path}`, connections: 8, headers: { authorization: request.authorization }, ...options });
    for (const request of requests) await drive(request, { amount: 200 });

    const started = Date.now();
    await db.query('ALTER TABLE referral DISABLE TRIGGER USER');
    const columns = `status, patient_id, requester_id, performer_id, receiving_facility_client_id, referral_code, referral_display, priority, reason_codes,
      clinical_note, shared_resource_types, occurrence_date, sending_organisation_id, receiving_organisation_id, created_by, created_at, updated_at`;
    await db.query(`INSERT INTO referral (${columns}) SELECT ${columns} FROM referral, generate_series(1, $2::int) WHERE id = $1`, [
      id,
      Number(values.referrals),
    ]);
    await db.query('ALTER TABLE referral ENABLE TRIGGER USER');
    await db.query(
      `INSERT INTO fhir_outbox_change (resource_type, resource_id) SELECT 'ServiceRequest', 'referral-' || n FROM generate_series(1, $1::int) AS n`,
      [Number(values.referrals)],
    );
    await db.query('ANALYZE');
    console.log(`${Number(values.referrals).toLocaleString('en')} referrals and mirror changes loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const request of requests) {
      const result = await drive(request, { duration: Number(values.seconds) });
      console.log(
        `${request.label.padEnd(40)} requests/s ${result.requests.average.toFixed(0).padStart(6)}  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms${result.non2xx ? `  non-2xx ${result.non2xx}` : ''}`,
      );
    }
  } finally {
    await db.end();
    await stopServer(server.child);
  }
});
