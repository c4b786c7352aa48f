// What the service logs: one line per request with its method, route pattern, status and duration,
// at a level LOG_LEVEL controls — and never a patient id from a path, a query string or a token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';

for (const engine of testEngines()) {
  describe(`request logs on ${engine.name}`, () => {
    let hub: Harness;
    const lines: Record<string, unknown>[] = [];
    before(async () => {
      const stream = { write: (line: string) => void lines.push(JSON.parse(line)) };
      hub = await startHarness(engine, {
        resources: { logger: { level: 'info', stream } },
        config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } },
      });
    });
    after(() => hub.close());

    it('writes one line per request, with the route pattern instead of the path', async () => {
      lines.length = 0;
      await hub.request('GET', '/fhir/Patient/ePatient-8675309', { as: 'admin' });
      await hub.request('GET', '/api/referrals?patientId=Patient/ePatient-8675309', { as: 'dr-smith' });
      await hub.request('GET', '/api/referrals/12345', { as: 'dr-smith' });
      const requests = lines.filter((line) => line.msg === 'request');
      assert.equal(requests.length, 3, JSON.stringify(lines));
      assert.deepEqual(
        requests.map((line) => [line.method, line.route, line.status]),
        [
          ['GET', '/fhir/*', 404],
          ['GET', '/api/referrals', 200],
          ['GET', '/api/referrals/:id', 404],
        ],
      );
      assert.ok(requests.every((line) => typeof line.ms === 'number'));
      const everything = JSON.stringify(lines);
      assert.doesNotMatch(everything, /ePatient|Bearer|12345/);
    });
  });
}
