// How long a committed change takes to become visible on the FHIR server, under the lifecycle
// benchmark's load: N clients drive full lifecycles while a probe makes its own changes and polls
// /fhir until each is there. Prints p50/p99 lag; the last line is the p99.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:mirror -- --clients 16 --seconds 20
// Without DATABASE_URL it measures on PGlite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { guideReferral } from '../test/support/harness.js';
import { driveLifecycles, httpClient, percentile, startServer, stopServer, tokens, withScratchDatabase, type Http } from './support.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '16' }, seconds: { type: 'string', default: '20' } } });
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const adminUrl = process.env.DATABASE_URL;

/** Makes one change, then polls the resource it names until it shows `status`; returns ms from the change's response. */
async function lagOf(http: Http, change: () => Promise<string>, status: string): Promise<number> {
  const resourcePath = await change();
  const committed = performance.now();
  for (;;) {
    const { status: code, json } = await http('GET', `/fhir/${resourcePath}`, tokens.admin!);
    if (code === 200 && json.status === status) return performance.now() - committed;
    if (performance.now() - committed > 30_000) throw new Error(`${resourcePath} did not reach ${status} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function probe(base: string, until: number): Promise<number[]> {
  const http = httpClient(base, 2);
  const lags: number[] = [];
  const expectOk = async (promise: Promise<{ status: number; json: any }>) => {
    const { status, json } = await promise;
    if (status >= 400) throw new Error(`probe: ${status} ${JSON.stringify(json)}`);
    return json;
  };
  while (performance.now() < until) {
    let id = 0;
    const serviceRequest = () => `ServiceRequest/referral-${id}`;
    lags.push(
      await lagOf(
        http,
        async () => ((id = (await expectOk(http('POST', '/api/referrals', tokens['dr-smith']!, guideReferral()))).id), serviceRequest()),
        'draft',
      ),
    );
    lags.push(await lagOf(http, async () => (await expectOk(http('POST', `/api/referrals/${id}/send`, tokens['dr-smith']!)), serviceRequest()), 'active'));
    const [task] = await expectOk(http('GET', `/api/referrals/${id}/tasks`, tokens['dr-patel']!));
    for (const [status, fhirStatus] of [
      ['RECEIVED', 'received'],
      ['ACCEPTED', 'accepted'],
      ['INPROGRESS', 'in-progress'],
      ['COMPLETED', 'completed'],
    ]) {
      lags.push(
        await lagOf(
          http,
          async () => (
            await expectOk(http('PATCH', `/api/referrals/${id}/tasks/${task.id}`, tokens['dr-patel']!, { status })),
            `Task/referral-task-${task.id}`
          ),
          fhirStatus!,
        ),
      );
    }
  }
  return lags;
}

async function measure(engine: string, env: Record<string, string>): Promise<number> {
  const server = await startServer(env, { clients });
  try {
    const until = performance.now() + seconds * 1000;
    const [run, lags] = await Promise.all([driveLifecycles(server.base, { clients, seconds }), probe(server.base, until)]);
    const sorted = lags.sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    console.log(`\n${engine}: load ${(run.transitions / (run.elapsedMs / 1000)).toFixed(1)} transitions/s by ${clients} clients, ${run.errors} errors`);
    console.log(
      `${engine}: commit → visible on /fhir  n=${sorted.length}  p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
    return p99;
  } finally {
    await stopServer(server.child);
  }
}

let p99: number;
if (adminUrl) {
  p99 = await withScratchDatabase(adminUrl, (url) => measure('postgres', { DATABASE_URL: url }));
} else {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rh-bench-'));
  try {
    p99 = await measure('pglite', { DATA_DIR: dataDir, DATABASE_URL: '' });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
console.log(`\nmirror lag p99: ${p99.toFixed(1)} ms`);
