// The embedded database does autovacuum's work itself: a table churned past the thresholds is
// vacuumed and analysed, and one that needs nothing is left alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './db.js';

describe('embedded database upkeep', () => {
  it('vacuums a table whose dead rows passed the threshold, and then has nothing to do', async () => {
    const handle = await openDatabase<Record<string, never>>({});
    try {
      await handle.runScript('CREATE TABLE churn (id int PRIMARY KEY, n int NOT NULL); INSERT INTO churn SELECT g, 0 FROM generate_series(1, 200) AS g;');
      await handle.upkeep();
      for (let round = 0; round < 5; round++) await sql`UPDATE churn SET n = n + 1`.execute(handle.db);
      const dead = async () => {
        await sql`SELECT pg_stat_force_next_flush()`.execute(handle.db);
        return (await sql<{ dead: number }>`SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = 'churn'`.execute(handle.db)).rows[0]!.dead;
      };
      assert.ok((await dead()) > 50 + 0.2 * 200, 'five updates of 200 rows leave old versions behind, past the threshold');
      assert.deepEqual(await handle.upkeep(), ['public.churn']);
      assert.equal(await dead(), 0);
      assert.deepEqual(await handle.upkeep(), []);
    } finally {
      await handle.close();
    }
  });
});
