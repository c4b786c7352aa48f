// Webhook deliveries under the lifecycle load: N clients drive full referral lifecycles, first with no
// webhook endpoint, then with 16 webhook receivers listening on loopback, on the same server. Prints
// the lifecycle rate of both phases and their ratio, deliveries/s, and p50/p99 from an event's time
// (its change, just before commit) to its receipt.
//
// By default the referrals go to 16 receiving organisations in turn (added to the directory through
// its admin API), each with one endpoint: every event reaches the one receiving organisation's
// endpoint, as when 16 hospitals each take their own. With --fan-out, all 16 endpoints are the
// cardiology unit's and every referral goes there: each event is posted 16 times.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:notify -- --clients 16 --seconds 20 [--fan-out]
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { driveLifecycles, percentile, practitionerToken, startServer, stopServer, tokens, withScratchDatabase, type ReceivingOrganisation } from './support.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '20' },
    receivers: { type: 'string', default: '16' },
    'fan-out': { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const receiverCount = Number(values.receivers);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it)');

async function asAdmin(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: tokens.admin!, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201 && response.status !== 200) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}

/** A hospital in the directory that receives referrals: the organisation, a clinician who receives for it, its SMART app. */
async function addReceivingOrganisation(base: string, n: number): Promise<ReceivingOrganisation> {
  const id = `bench-hospital-${n}`;
  const organisation = `Organization/${id}`;
  await asAdmin(base, '/api/admin/organizations', { id, name: `Bench Hospital ${n}` });
  await asAdmin(base, '/api/admin/practitioners', { id: `bench-dr-${n}`, name: `Dr Bench ${n}` });
  await asAdmin(base, `/api/admin/practitioners/bench-dr-${n}/roles`, { organization: organisation, role: 'receiver' });
  await asAdmin(base, '/api/admin/facility-apps', {
    clientId: `${id}-smart`,
    organization: organisation,
    name: `Bench Hospital ${n} records`,
    redirectUris: [`${base}/bench/callback`],
    resourceTypes: ['Observation', 'Condition', 'DiagnosticReport'],
  });
  return { organisation, clientId: `${id}-smart`, token: await practitionerToken(`bench-dr-${n}`) };
}

/** A receiver that answers 204 and notes, for each delivery, how long after its event it arrived. */
async function startReceiver(lags: number[]): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      lags.push(Date.now() - Date.parse((JSON.parse(body) as { timestamp: string }).timestamp));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

await withScratchDatabase(adminUrl, async (url) => {
  const server = await startServer({ DATABASE_URL: url, MIRROR_WORKER: 'false' }, { clients });
  const lags: number[] = [];
  const receivers = await Promise.all(Array.from({ length: receiverCount }, () => startReceiver(lags)));
  try {
    const receiving = values['fan-out']
      ? undefined
      : await Promise.all(Array.from({ length: receiverCount }, (_, n) => addReceivingOrganisation(server.base, n + 1)));
    await driveLifecycles(server.base, { clients, seconds: 3, receivers: receiving });
    const plain = await driveLifecycles(server.base, { clients, seconds, receivers: receiving });
    const plainRate = plain.transitions / (plain.elapsedMs / 1000);
    console.log(`without webhooks: ${plainRate.toFixed(1)} transitions/s`);

    for (const [n, receiver] of receivers.entries()) {
      const organisation = receiving?.[n]?.organisation ?? 'Organization/royal-london-cardiology';
      await asAdmin(server.base, '/api/admin/webhooks', { organisation, url: receiver.url });
    }
    const started = Date.now();
    const hooked = await driveLifecycles(server.base, { clients, seconds, receivers: receiving });
    const hookedRate = hooked.transitions / (hooked.elapsedMs / 1000);
    const deliveredDuringLoad = lags.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const sorted = [...lags].sort((a, b) => a - b);
    console.log(
      `with ${receivers.length} webhook receivers (${values['fan-out'] ? "all the cardiology unit's" : 'one per receiving organisation'}): ${hookedRate.toFixed(1)} transitions/s`,
    );
    console.log(
      `deliveries: ${lags.length} (${(deliveredDuringLoad / ((Date.now() - 3000 - started) / 1000)).toFixed(0)}/s during the load)  event → receipt p50 ${percentile(sorted, 50)} ms  p99 ${percentile(sorted, 99)} ms  max ${sorted.at(-1)} ms`,
    );
    console.log(`\nlifecycle rate with webhooks ÷ without: ${(hookedRate / plainRate).toFixed(2)}`);
  } finally {
    for (const receiver of receivers) receiver.server.close();
    await stopServer(server.child);
  }
});
