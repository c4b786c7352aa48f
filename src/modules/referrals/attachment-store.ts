// Where attachment content lives: stored once per SHA-256, in the database by default. An object store
// (S3, Azure Blob…) could implement the same two calls.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';

export interface AttachmentStore {
  /** Keeps `bytes` under their SHA-256 (hex); storing the same content again is a no-op. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The content stored under `sha256`, if any. */
  get(sha256: string): Promise<Uint8Array | undefined>;
}

export function databaseAttachmentStore(db: Kysely<Database>): AttachmentStore {
  return {
    async put(sha256, bytes) {
      await db
        .insertInto('attachment_content')
        .values({ sha256, bytes })
        .onConflict((conflict) => conflict.column('sha256').doNothing())
        .execute();
    },
    async get(sha256) {
      const row = await db.selectFrom('attachment_content').select('bytes').where('sha256', '=', sha256).executeTakeFirst();
      return row?.bytes;
    },
  };
}
