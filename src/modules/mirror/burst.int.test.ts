// The mirror keeps up after a burst even when PostgreSQL plans its fold as if the change log were
// empty: the fold's plan is made (generic, as a prepared statement's can be) while the log is
// analysed empty, then 200,000 changes arrive; each round must still move its limit and no more,
// so the burst drains in limit-sized rounds. (A plan that re-sorts the log for every row it moves
// took over ten minutes for this.) PostgreSQL only: PGlite runs no named prepared statements.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../database.js';
import { testEngines } from '../../../test/support/engines.js';
import { foldChanges } from './outbox.js';

const BURST = 200_000;
const ROUND = 1_000;

for (const engine of testEngines().filter((candidate) => candidate.name === 'postgres'))
  describe('the mirror after a burst on postgres', () => {
    it(
      `folds ${BURST.toLocaleString('en')} changes in rounds of ${ROUND}, though the fold was planned while the log was empty`,
      { timeout: 300_000 },
      async () => {
        const owner = await engine.open();
        const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(owner.db);
        await sql`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_generic_plan', current_database()); END $$`.execute(owner.db);
        const url = new URL(process.env.TEST_DATABASE_URL!);
        url.pathname = `/${rows[0]!.name}`;
        const worker = await openDatabase({ url: url.toString(), poolSize: 1 });
        try {
          await sql`ANALYZE fhir_outbox_change`.execute(worker.db);
          for (let i = 0; i < 6; i++) await foldChanges(worker.db, ROUND);
          await sql`INSERT INTO fhir_outbox_change (resource_type, resource_id)
                  SELECT 'Task', 'referral-task-' || n FROM generate_series(1, ${BURST}::int) AS n`.execute(worker.db);
          for (let round = 0; round < BURST / ROUND; round++) await foldChanges(worker.db, ROUND);
          const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM fhir_outbox_change`.execute(worker.db);
          assert.equal(left.rows[0]!.n, 0, 'each round moved its limit: the burst is folded in as many rounds as it holds limits');
          const pending = await sql<{ n: number }>`SELECT count(*)::int AS n FROM fhir_outbox WHERE change_seq > delivered_seq`.execute(worker.db);
          assert.equal(pending.rows[0]!.n, BURST);
        } finally {
          await worker.close();
          await owner.close();
        }
      },
    );
  });
