// Per-client request limits on /api and /fhir: above the configured rate a client gets 429 with
// Retry-After in its surface's error shape, other clients are unaffected, and two processes on one
// database count against the same limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';

for (const engine of testEngines()) {
  describe(`request limits on ${engine.name}`, () => {
    let first: Harness;
    let second: Harness;
    before(async () => {
      const config = { rateLimitPerMinute: 6, mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } };
      first = await startHarness(engine, { config });
      second = await startHarness(engine, { config, database: first.database });
    });
    after(async () => {
      await second.close();
      await first.close();
    });

    it('answers 429 with Retry-After past the limit, counting across processes, per client', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await first.request('GET', '/api/referrals', { as: 'dr-smith' })).status);
      for (let i = 0; i < 2; i++) statuses.push((await second.request('GET', '/api/referrals', { as: 'dr-smith' })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
      const limited = await second.request('GET', '/api/referrals', { as: 'dr-smith' });
      if (limited.status === 200) return assert.ok(Date.now() % 60_000 < 2000, 'only a new minute resets the count');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'RATE_LIMITED');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal((await first.request('GET', '/api/referrals', { as: 'dr-other' })).status, 200, 'another client is not held back');
    });

    it('limits /fhir too, answering an OperationOutcome', async () => {
      let answer;
      // Up to two windows' worth: a new minute starting midway resets the count once.
      for (let i = 0; i < 14 && answer?.status !== 429; i++) answer = await first.request('GET', '/fhir/Observation', { as: 'admin' });
      assert.equal(answer!.status, 429);
      assert.equal(answer!.body.resourceType, 'OperationOutcome');
      assert.equal(answer!.body.issue[0].code, 'throttled');
      assert.ok(Number(answer!.headers.get('retry-after')) > 0);
    });
  });
}
