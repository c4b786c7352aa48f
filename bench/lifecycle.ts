// Throughput of full referral lifecycles over real HTTP (create, send, received, accepted,
// in progress, completed) with N concurrent clients, compared with pgbench on the same PostgreSQL.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- --clients 16 --seconds 20
// --profile <dir> writes a V8 CPU profile of each server run into <dir>; --engines postgres skips PGlite. Each engine is warmed up
// first (--warmup seconds of the same load, not counted: JIT, connection pool, prepared statements).
// Prints transitions/s and p50/p99 per endpoint on PostgreSQL and on PGlite; the last line is the
// ratio transitions/s ÷ pgbench TPS.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { driveLifecycles, percentile, startServer, stopServer, withScratchDatabase, type Run } from './support.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    profile: { type: 'string' },
    engines: { type: 'string', default: 'postgres,pglite' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it)');
const drive = async (base: string) => {
  await driveLifecycles(base, { clients, seconds: Number(values.warmup) });
  return driveLifecycles(base, { clients, seconds });
};

function report(engine: string, run: Run): number {
  const rate = run.transitions / (run.elapsedMs / 1000);
  console.log(`\n${engine}: ${clients} clients, ${(run.elapsedMs / 1000).toFixed(1)} s, ${run.lifecycles} lifecycles, ${run.errors} errors`);
  console.log(`${engine}: transitions/s ${rate.toFixed(1)}`);
  for (const [label, list] of run.latencies) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `${engine}:   ${label.padEnd(42)} n=${String(sorted.length).padStart(6)}  p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    );
  }
  return rate;
}

function pgbenchTps(url: string): number {
  const pgbench = (args: string[]) => spawnSync('pgbench', [...args, url], { encoding: 'utf8' });
  const init = pgbench(['-i', '-q', '-s', String(Math.max(1, clients))]);
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  const run = pgbench(['-n', '-c', String(clients), '-j', '2', '-T', String(seconds)]);
  const tps = /tps = ([\d.]+)/.exec(run.stdout)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps: ${run.stdout}${run.stderr}`);
  return Number(tps);
}

const postgresRate = await withScratchDatabase(adminUrl, async (url) => {
  const server = await startServer({ DATABASE_URL: url }, { clients, nodeArgs });
  try {
    return report('postgres', await drive(server.base));
  } finally {
    await stopServer(server.child);
  }
});
const tps = await withScratchDatabase(adminUrl, async (url) => pgbenchTps(url));
console.log(`\npgbench (TPC-B-like, ${clients} clients, ${seconds} s): tps ${tps.toFixed(1)}`);

async function measurePglite() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-bench-'));
  try {
    const server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: '' }, { clients, nodeArgs });
    try {
      report('pglite', await drive(server.base));
    } finally {
      await stopServer(server.child);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
if (values.engines.split(',').includes('pglite')) await measurePglite();

console.log(`\nratio transitions/s ÷ pgbench TPS: ${(postgresRate / tps).toFixed(2)}`);
