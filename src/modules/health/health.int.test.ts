// /health stays cheap however far behind the mirror is: it counts pending resources up to 1,000 and
// then says "at least", reading only the first rows of each index (a full count took about 3 s at a
// million referrals).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { testEngines } from '../../../test/support/engines.js';
import { startHarness, type Harness } from '../../../test/support/harness.js';

for (const engine of testEngines())
  describe(`/health with a large outbox on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    });
    after(() => hub.close());

    const mirror = async () => (await hub.request('GET', '/health')).body.fhirMirror;

    it('counts a few pending resources exactly, and past 1,000 says it counted at least that many', async () => {
      const before = await mirror();
      assert.equal(before.pendingAtLeast, false);
      await sql`INSERT INTO fhir_outbox_change (resource_type, resource_id) SELECT 'Task', 'burst-' || n FROM generate_series(1, 3) AS n`.execute(
        hub.database.db,
      );
      assert.equal((await mirror()).pending, before.pending + 3);
      await sql`INSERT INTO fhir_outbox_change (resource_type, resource_id) SELECT 'Task', 'burst-' || n FROM generate_series(4, 2500) AS n`.execute(
        hub.database.db,
      );
      const behind = await mirror();
      assert.equal(behind.pending, 1_000);
      assert.equal(behind.pendingAtLeast, true);
      assert.ok(behind.oldestPendingSeconds !== null && behind.oldestPendingSeconds >= 0);
    });
  });
