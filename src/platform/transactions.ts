// Running work in a transaction: the caller's own when it is in one already (so use cases compose,
// as an import does), a new one otherwise.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export function inTransaction<T>(db: Kysely<Database>, work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
