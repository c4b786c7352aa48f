// Webhook deliveries under the lifecycle load: N clients drive full referral lifecycles, first with no
// webhook endpoint, then with 16 endpoints of the receiving organisation listening on loopback, on the
// same server. Prints the lifecycle rate of both phases and their ratio, deliveries/s, and p50/p99
// from an event's time (its change, just before commit) to its receipt.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:notify -- --clients 16 --seconds 20
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { driveLifecycles, percentile, startServer, stopServer, tokens, withScratchDatabase } from './support.js';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '16' }, seconds: { type: 'string', default: '20' }, receivers: { type: 'string', default: '16' } },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('Set DATABASE_URL to the PostgreSQL to measure (a scratch database is created on it)');

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
  const server = await startServer(
    { DATABASE_URL: url, MIRROR_WORKER: 'false' },
    { clients, nodeArgs: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [] },
  );
  const lags: number[] = [];
  const receivers = await Promise.all(Array.from({ length: Number(values.receivers) }, () => startReceiver(lags)));
  try {
    await driveLifecycles(server.base, { clients, seconds: 3 });
    const plain = await driveLifecycles(server.base, { clients, seconds });
    const plainRate = plain.transitions / (plain.elapsedMs / 1000);
    console.log(`without webhooks: ${plainRate.toFixed(1)} transitions/s`);

    for (const receiver of receivers) {
      const registered = await fetch(`${server.base}/api/admin/webhooks`, {
        method: 'POST',
        headers: { authorization: tokens.admin!, 'content-type': 'application/json' },
        body: JSON.stringify({ organisation: 'Organization/royal-london-cardiology', url: receiver.url }),
      });
      if (registered.status !== 201) throw new Error(`registering a webhook: ${registered.status} ${await registered.text()}`);
    }
    const started = Date.now();
    const hooked = await driveLifecycles(server.base, { clients, seconds });
    const hookedRate = hooked.transitions / (hooked.elapsedMs / 1000);
    const deliveredDuringLoad = lags.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const sorted = [...lags].sort((a, b) => a - b);
    console.log(`with ${receivers.length} webhook receivers: ${hookedRate.toFixed(1)} transitions/s`);
    console.log(
      `deliveries: ${lags.length} (${(deliveredDuringLoad / ((Date.now() - 3000 - started) / 1000)).toFixed(0)}/s during the load)  event → receipt p50 ${percentile(sorted, 50)} ms  p99 ${percentile(sorted, 99)} ms  max ${sorted.at(-1)} ms`,
    );
    console.log(`\nlifecycle rate with webhooks ÷ without: ${(hookedRate / plainRate).toFixed(2)}`);
  } finally {
    for (const receiver of receivers) receiver.server.close();
    await stopServer(server.child);
  }
});
