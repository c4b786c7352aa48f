// What the benchmarks share: a Referral Hub server process on a scratch database, a light keep-alive
// HTTP client, demo tokens, and the load of full referral lifecycles driven by N concurrent clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import pg from 'pg';
import { demoClaims } from '../src/modules/demo/identities.js';
import { mintToken } from '../src/modules/identity/tokens.js';
import { generateSigningJwk, importSigningKey } from '../src/platform/keys.js';
import { guideReferral } from '../test/support/harness.js';
import { freePort } from '../test/support/ports.js';

export const jwk = await generateSigningJwk();
const key = await importSigningKey(jwk);
const jwt = { issuer: 'referral-hub', audience: 'referral-hub-api', ttlSeconds: 3600 };
/** A bearer token for a practitioner of the directory (the server reads their roles from it). */
export const practitionerToken = async (id: string) => `Bearer ${await mintToken(key, { sub: id, fhirUser: `Practitioner/${id}`, roles: ['clinician'] }, jwt)}`;

export const tokens = Object.fromEntries(
  await Promise.all(['dr-smith', 'dr-patel', 'dr-other', 'admin'].map(async (name) => [name, `Bearer ${await mintToken(key, demoClaims(name), jwt)}`])),
) as Record<string, string>;

export interface Run {
  transitions: number;
  lifecycles: number;
  errors: number;
  latencies: Map<string, number[]>;
  elapsedMs: number;
}

export async function startServer(
  env: Record<string, string>,
  options: { clients: number; nodeArgs?: string[] },
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      SIGNING_KEY: JSON.stringify(jwk),
      DB_POOL_SIZE: String(options.clients),
      DEMO: 'true',
      RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '0',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, base };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('server did not start');
}

export async function stopServer(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A plain keep-alive HTTP client: lighter than fetch, so the load generator takes less of the CPU it shares. */
export function httpClient(base: string, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
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

export type Http = ReturnType<typeof httpClient>;

/** An organisation referrals are sent to: its SMART app (the consent gate's), and a token of a clinician who receives for it. */
export interface ReceivingOrganisation {
  organisation: string;
  clientId: string;
  token: string;
}

const cardiology: ReceivingOrganisation = {
  organisation: 'Organization/royal-london-cardiology',
  clientId: 'royal-london-cardiology-smart',
  token: tokens['dr-patel']!,
};

/**
 * Drives full lifecycles (create, send, received, accepted, in progress, completed) with `clients`
 * concurrent clients; the referrals go to `receivers` in turn (the cardiology unit unless given).
 */
export async function driveLifecycles(base: string, options: { clients: number; seconds: number; receivers?: ReceivingOrganisation[] }): Promise<Run> {
  const run: Run = { transitions: 0, lifecycles: 0, errors: 0, latencies: new Map(), elapsedMs: 0 };
  const http = httpClient(base, options.clients);
  const call = async (label: string, method: string, route: string, authorization: string, body?: unknown) => {
    const started = performance.now();
    const { status, json } = await http(method, route, authorization, body);
    const list = run.latencies.get(label) ?? [];
    list.push(performance.now() - started);
    run.latencies.set(label, list);
    if (status >= 400) throw new Error(`${label}: ${status} ${JSON.stringify(json)}`);
    run.transitions += 1;
    return json;
  };
  const receivers = options.receivers ?? [cardiology];
  for (const { clientId } of receivers) {
    await call('POST /api/consent', 'POST', '/api/consent', tokens.admin!, {
      patientId: 'Patient/ePatient-8675309',
      clientId,
      resourceTypes: ['Observation', 'Condition', 'DiagnosticReport'],
    });
  }
  run.transitions = 0;
  run.latencies.clear();

  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  let begun = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      const receiver = receivers[begun++ % receivers.length]!;
      const to = { performerId: receiver.organisation, receivingOrganisationId: receiver.organisation, receivingFacilityClientId: receiver.clientId };
      try {
        const { id } = await call('POST /api/referrals', 'POST', '/api/referrals', tokens['dr-smith']!, guideReferral(to));
        await call('POST /api/referrals/{id}/send', 'POST', `/api/referrals/${id}/send`, tokens['dr-smith']!);
        const [task] = (await http('GET', `/api/referrals/${id}/tasks`, receiver.token)).json;
        for (const status of ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED']) {
          await call('PATCH /api/referrals/{id}/tasks/{taskId}', 'PATCH', `/api/referrals/${id}/tasks/${task.id}`, receiver.token, { status });
        }
        run.lifecycles += 1;
      } catch (error) {
        run.errors += 1;
        if (run.errors <= 3) console.error((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  run.elapsedMs = performance.now() - started;
  return run;
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** A database created on the PostgreSQL at `adminUrl` for the duration of `work`, dropped afterwards. */
export async function withScratchDatabase<T>(adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `rh_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
