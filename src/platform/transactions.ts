// Running work in a transaction: the caller's own when it is in one already (so use cases compose,
// as an import does), a new one otherwise.
import type { Kysely } from 'kysely';

export function inTransaction<DB, T>(db: Kysely<DB>, work: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
