// PGlite runs no autovacuum: left alone, every update and every audited read leaves dead rows and
// index entries behind, and reads slow down round after round. The embedded database does that
// upkeep itself, on autovacuum's own default thresholds, table by table: VACUUM where dead rows
// passed 50 + 20 % of the live ones, ANALYZE where changes since the last analysis passed 50 + 10 %.

/** How often the embedded database looks for tables that need upkeep. */
export const UPKEEP_EVERY_MS = 60_000;

interface TableActivity {
  table: string;
  live: number;
  dead: number;
  changed: number;
}

/** Runs the upkeep the tables need now through `run` (the database's own statement runner); the tables vacuumed or analysed. */
export async function embeddedUpkeep(run: <T>(statement: string) => Promise<T[]>): Promise<string[]> {
  // A single-user server publishes its activity counts lazily: have them published before reading them.
  await run('SELECT pg_stat_force_next_flush()');
  const tables = await run<TableActivity>(
    `SELECT format('%I.%I', schemaname, relname) AS table, n_live_tup::int AS live, n_dead_tup::int AS dead, n_mod_since_analyze::int AS changed
       FROM pg_stat_user_tables`,
  );
  const kept: string[] = [];
  for (const { table, live, dead, changed } of tables) {
    const vacuum = dead > 50 + 0.2 * live;
    const analyze = changed > 50 + 0.1 * live;
    if (!vacuum && !analyze) continue;
    await run(vacuum ? `VACUUM (ANALYZE) ${table}` : `ANALYZE ${table}`);
    kept.push(table);
  }
  return kept;
}
