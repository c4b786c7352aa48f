// Throughput of full referral lifecycles over real HTTP (create, send, received, accepted,
// in progress, completed) with N concurrent clients, compared with pgbench on the same PostgreSQL.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- --clients 16 --seconds 20
// --profile <dir> writes a V8 CPU profile of each server run into <dir>.
// Prints transitions/s and p50/p99 per endpoint on PostgreSQL and on PGlite; the last line is the
// ratio transitions/s ÷ pgbench TPS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { demoClaims } from '../src/modules/demo/identities.js';
import { mintToken } from '../src/modules/identity/tokens.js';
import { generateSigningJwk, importSigningKey } from '../src/platform/keys.js';
import { guideReferral } from '../test/support/harness.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '16' }, seconds: { type: 'string', default: '20' }, profile: { type: 'string' } } });
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const profileArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it)');

const jwk = await generateSigningJwk();
const key = await importSigningKey(jwk);
const jwt = { issuer: 'referral-hub', audience: 'referral-hub-api', ttlSeconds: 3600 };
const tokens = Object.fromEntries(
  await Promise.all(['dr-smith', 'dr-patel', 'admin'].map(async (name) => [name, `Bearer ${await mintToken(key, demoClaims(name), jwt)}`])),
) as Record<string, string>;

interface Run {
  transitions: number;
  lifecycles: number;
  errors: number;
  latencies: Map<string, number[]>;
  elapsedMs: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...profileArgs, '--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', SIGNING_KEY: JSON.stringify(jwk), DB_POOL_SIZE: String(clients) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return { child, base };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('server did not start');
}

async function stopServer(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A plain keep-alive HTTP client: lighter than fetch, so the load generator takes less of the CPU it shares. */
function httpClient(base: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const { hostname, port } = new URL(base);
  return (method: string, path: string, authorization: string, body?: unknown) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { authorization };
      if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
      const req = request({ agent, hostname, port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
      });
      req.on('error', reject);
      req.end(payload);
    });
}

async function drive(base: string): Promise<Run> {
  const run: Run = { transitions: 0, lifecycles: 0, errors: 0, latencies: new Map(), elapsedMs: 0 };
  const http = httpClient(base);
  const call = async (label: string, method: string, route: string, as: string, body?: unknown) => {
    const started = performance.now();
    const { status, json } = await http(method, route, tokens[as]!, body);
    const list = run.latencies.get(label) ?? [];
    list.push(performance.now() - started);
    run.latencies.set(label, list);
    if (status >= 400) throw new Error(`${label}: ${status} ${JSON.stringify(json)}`);
    run.transitions += 1;
    return json;
  };
  await call('POST /api/consent', 'POST', '/api/consent', 'admin', { patientId: 'Patient/ePatient-8675309', clientId: 'royal-london-cardiology-smart', resourceTypes: ['Observation', 'Condition', 'DiagnosticReport'] });
  run.transitions = 0;
  run.latencies.clear();

  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const client = async () => {
    while (performance.now() < deadline) {
      try {
        const { id } = await call('POST /api/referrals', 'POST', '/api/referrals', 'dr-smith', guideReferral());
        await call('POST /api/referrals/{id}/send', 'POST', `/api/referrals/${id}/send`, 'dr-smith');
        const [task] = (await http('GET', `/api/referrals/${id}/tasks`, tokens['dr-patel']!)).json;
        for (const status of ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED']) {
          await call('PATCH /api/referrals/{id}/tasks/{taskId}', 'PATCH', `/api/referrals/${id}/tasks/${task.id}`, 'dr-patel', { status });
        }
        run.lifecycles += 1;
      } catch (error) {
        run.errors += 1;
        if (run.errors <= 3) console.error((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  run.elapsedMs = performance.now() - started;
  return run;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function report(engine: string, run: Run): number {
  const rate = run.transitions / (run.elapsedMs / 1000);
  console.log(`\n${engine}: ${clients} clients, ${(run.elapsedMs / 1000).toFixed(1)} s, ${run.lifecycles} lifecycles, ${run.errors} errors`);
  console.log(`${engine}: transitions/s ${rate.toFixed(1)}`);
  for (const [label, list] of run.latencies) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(`${engine}:   ${label.padEnd(42)} n=${String(sorted.length).padStart(6)}  p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms`);
  }
  return rate;
}

async function withScratchDatabase<T>(work: (url: string, name: string) => Promise<T>): Promise<T> {
  const name = `rh_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString(), name);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
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

const postgresRate = await withScratchDatabase(async (url) => {
  const server = await startServer({ DATABASE_URL: url });
  try {
    return report('postgres', await drive(server.base));
  } finally {
    await stopServer(server.child);
  }
});
const tps = await withScratchDatabase(async (url) => pgbenchTps(url));
console.log(`\npgbench (TPC-B-like, ${clients} clients, ${seconds} s): tps ${tps.toFixed(1)}`);

const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-bench-'));
try {
  const server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: '' });
  try {
    report('pglite', await drive(server.base));
  } finally {
    await stopServer(server.child);
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

console.log(`\nratio transitions/s ÷ pgbench TPS: ${(postgresRate / tps).toFixed(2)}`);
