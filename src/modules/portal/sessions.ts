// Portal sessions: a random id in an HttpOnly cookie, of which the database keeps only a hash. A
// session lasts while the directory says its sign-in stands (the account active, its password not
// set since).
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { randomToken, tokenHash } from '../../platform/secret-tokens.js';
import { accountSignedInAt, type PatientAccount } from '../directory/accounts.js';

export const SESSION_HOURS = 8;

/** A signed-in patient's account, as the directory has it now. */
export type PortalSession = PatientAccount;

/** Starts a session; returns the id for the cookie. */
export async function startSession(db: Kysely<Database>, account: { username: string; patientId: string }, now: Date): Promise<string> {
  const id = randomToken();
  await db
    .insertInto('portal_session')
    .values({
      id_hash: tokenHash(id),
      username: account.username,
      patient_id: account.patientId,
      started_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
    })
    .execute();
  return id;
}

export async function findSession(db: Kysely<Database>, id: string | undefined, now: Date): Promise<PortalSession | undefined> {
  if (!id) return undefined;
  const row = await db
    .selectFrom('portal_session')
    .select(['username', 'started_at'])
    .where('id_hash', '=', tokenHash(id))
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && accountSignedInAt(db, row.username, row.started_at);
}

export async function endSession(db: Kysely<Database>, id: string | undefined): Promise<void> {
  if (id) await db.deleteFrom('portal_session').where('id_hash', '=', tokenHash(id)).execute();
}
