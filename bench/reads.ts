// Consent-enforced reads against plain reads, on one server (PostgreSQL, or PGlite with --engine pglite):
// a SMART app's token obtained through the real launch (sign-in, consent screen, PKCE) reads the demo
// patient's Observations by id and by search, as an administrator's token does without any consent
// check; and POST /api/consent/evaluate. autocannon drives each case in turn, round after round
// (interleaved), after a warm-up of each. The last lines are the ratios the issue asks for.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:reads -- --connections 16 --seconds 10 --rounds 2
// --profile <dir> writes a V8 CPU profile of the server into <dir>.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { launchDemoApp } from '../test/support/smart-launch.js';
import { startServer, stopServer, tokens, withScratchDatabase } from './support.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    engine: { type: 'string', default: 'postgres' },
    profile: { type: 'string' },
  },
});
const connections = Number(values.connections);
const PATIENT = 'ePatient-8675309';
const PASSWORD = 'bench-reads-password';
const APP = 'royal-london-cardiology-smart';

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: string;
}

interface Figures {
  requests: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** How many answers had each status other than 2xx. */
  failures: Record<string, number>;
}

async function observationId(base: string): Promise<string> {
  const response = await fetch(`${base}/fhir/Observation?patient=${PATIENT}`, { headers: { authorization: tokens.admin!, accept: 'application/fhir+json' } });
  const bundle = (await response.json()) as { entry?: { resource: { id: string } }[] };
  const id = bundle.entry?.[0]?.resource.id;
  if (!id) throw new Error('the demo patient has no Observation on /fhir');
  return id;
}

function drive(base: string, which: Case, seconds: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${base}${which.path}`,
        method: which.method,
        connections,
        duration: seconds,
        headers: { authorization: which.token, accept: 'application/fhir+json', 'content-type': 'application/json' },
        body: which.body,
      },
      (error, result) => {
        if (error) return reject(error);
        const failures = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).flatMap(([status, { count }]) => (status.startsWith('2') ? [] : [[status, count ?? 0]])),
        );
        resolve({ requests: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, failures });
      },
    );
  });
}

async function measure(base: string): Promise<Map<string, Figures[]>> {
  const smart = `Bearer ${await launchDemoApp(base, { password: PASSWORD, allow: ['Observation'] })}`;
  const id = await observationId(base);
  const evaluate = JSON.stringify({ patientId: PATIENT, clientId: APP, resourceTypes: ['Observation', 'Condition', 'DiagnosticReport'] });
  const cases: Case[] = [
    { name: 'read, admin (no consent check)', method: 'GET', path: `/fhir/Observation/${id}`, token: tokens.admin! },
    { name: 'read, SMART (scopes ∩ grants, audited)', method: 'GET', path: `/fhir/Observation/${id}`, token: smart },
    { name: 'search, admin', method: 'GET', path: `/fhir/Observation?patient=${PATIENT}`, token: tokens.admin! },
    { name: 'search, SMART', method: 'GET', path: `/fhir/Observation?patient=${PATIENT}`, token: smart },
    { name: 'consent evaluate (3 types)', method: 'POST', path: '/api/consent/evaluate', token: tokens.admin!, body: evaluate },
  ];
  for (const which of cases) await drive(base, which, Number(values.warmup));
  const figures = new Map(cases.map((which) => [which.name, [] as Figures[]]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const which of cases) figures.get(which.name)!.push(await drive(base, which, Number(values.seconds)));
  }
  return figures;
}

async function onServer(env: Record<string, string>): Promise<Map<string, Figures[]>> {
  const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const server = await startServer({ ...env, DEMO_PATIENT_PASSWORD: PASSWORD, MIRROR_WORKER: 'false' }, { clients: connections, nodeArgs });
  try {
    return await measure(server.base);
  } finally {
    await stopServer(server.child);
  }
}

async function run(): Promise<Map<string, Figures[]>> {
  if (values.engine === 'pglite') {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-reads-'));
    try {
      return await onServer({ DATA_DIR: dataDir, DATABASE_URL: '' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it), or pass --engine pglite');
  return withScratchDatabase(adminUrl, (url) => onServer({ DATABASE_URL: url }));
}

const figures = await run();
const mean = (list: Figures[], pick: (f: Figures) => number) => list.reduce((sum, f) => sum + pick(f), 0) / list.length;
console.log(`\n${values.engine}: ${connections} connections, ${values.rounds} rounds of ${values.seconds} s per case (interleaved)`);
for (const [name, list] of figures) {
  const each = list.map((f) => f.requests.toFixed(0)).join(', ');
  const failed = list.reduce((sum, f) => sum + f.non2xx, 0);
  const statuses = list.flatMap((f) => Object.entries(f.failures).map(([status, count]) => `${status}×${count}`)).join(' ');
  console.log(
    `${name.padEnd(40)} requests/s ${each.padEnd(14)} p50 ${mean(list, (f) => f.p50).toFixed(1)} ms  p99 ${mean(list, (f) => f.p99).toFixed(1)} ms${failed ? `  non-2xx ${failed} (${statuses})` : ''}`,
  );
}
const rate = (name: string) => mean(figures.get(name)!, (f) => f.requests);
const p50 = (name: string) => mean(figures.get(name)!, (f) => f.p50);
console.log(`\nSMART read ÷ admin read, throughput: ${(rate('read, SMART (scopes ∩ grants, audited)') / rate('read, admin (no consent check)')).toFixed(2)}`);
console.log(`SMART read ÷ admin read, p50: ${(p50('read, SMART (scopes ∩ grants, audited)') / p50('read, admin (no consent check)')).toFixed(2)}×`);
console.log(`SMART search ÷ admin search, throughput: ${(rate('search, SMART') / rate('search, admin')).toFixed(2)}`);
const evaluations = rate('consent evaluate (3 types)');
console.log(`consent evaluate: ${evaluations.toFixed(0)} requests/s, ${(evaluations * 3).toFixed(0)} decisions/s (3 types each)`);
