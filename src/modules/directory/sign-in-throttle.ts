// Password sign-in (portal, SMART and the clinician web app) throttled per account and per address, across processes: past
// a few failures in a window, each further failure locks the key for twice as long as the last (up
// to 15 minutes), and a locked key is refused with 429 and Retry-After without checking the password.
// Every failure and every lock is audited (the address only as a hash).
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../database.js';
import { appendAuditEvent } from '../audit/repo.js';
import { signIn, type PatientAccount } from './accounts.js';
import { practitionerSignIn } from './practitioner-accounts.js';

const WINDOW_MS = 15 * 60_000;
const MAX_LOCK_MS = 15 * 60_000;
const FIRST_LOCK_MS = 30_000;
/** Failures allowed before locking: an account is guessed at more carefully than an address, shared by many. */
const ALLOWED = { account: 5, address: 20 } as const;

type SignInRefused = { refused: 'credentials' } | { refused: 'throttled'; retryAfterSeconds: number };
type SignInAnswer<Account = PatientAccount> = { account: Account } | SignInRefused;

type Channel = 'portal' | 'smart' | 'clinician';

/** Patients' sign-in, on the portal and the SMART sign-in alike (one account key for both). */
export const throttledSignIn = (db: Kysely<Database>, clock: Clock) => throttled(db, clock, signIn, (username) => `account:${username}`);

/** Clinicians' sign-in to the web app: their own account keys, apart from patients' usernames. */
export const throttledClinicianSignIn = (db: Kysely<Database>, clock: Clock) => throttled(db, clock, practitionerSignIn, (username) => `clinician:${username}`);

function throttled<Account>(
  db: Kysely<Database>,
  clock: Clock,
  check: (db: Kysely<Database>, username: string, password: string) => Promise<Account | undefined>,
  accountKey: (username: string) => string,
) {
  return async (channel: Channel, username: string, password: string, address: string): Promise<SignInAnswer<Account>> => {
    const keys = { account: accountKey(username.toLowerCase()), address: `address:${address}` };
    const lockedFor = await secondsLocked(db, Object.values(keys), clock.now());
    if (lockedFor > 0) return { refused: 'throttled', retryAfterSeconds: lockedFor };
    const account = await check(db, username, password);
    if (account) {
      await db.deleteFrom('sign_in_throttle').where('key', '=', keys.account).execute();
      return { account };
    }
    await db.transaction().execute(async (tx) => {
      const locks = [await recordFailure(tx, keys.account, ALLOWED.account, clock.now()), await recordFailure(tx, keys.address, ALLOWED.address, clock.now())];
      await appendAuditEvent(tx, clock, {
        actor: `${channel}:${username}`,
        action: locks.some(Boolean) ? 'auth.sign-in.locked' : 'auth.sign-in',
        outcome: 'failure',
        entityType: 'SignIn',
        entityId: username,
        chain: 'sign-in',
        detail: {
          channel,
          address: createHash('sha256').update(address).digest('hex').slice(0, 16),
          ...(locks.some(Boolean) && { lockedForSeconds: Math.max(...locks.map((ms) => ms / 1000)) }),
        },
      });
    });
    return { refused: 'credentials' };
  };
}

/** How long the longest lock among `keys` still runs, in whole seconds (0 when none). */
async function secondsLocked(db: Kysely<Database>, keys: string[], now: Date): Promise<number> {
  const rows = await db.selectFrom('sign_in_throttle').select('locked_until').where('key', 'in', keys).where('locked_until', '>', now).execute();
  return Math.max(0, ...rows.map((row) => Math.ceil((row.locked_until!.getTime() - now.getTime()) / 1000)));
}

/** Counts a failure against `key`; past `allowed` in the window, locks it. The lock's length in ms, or 0. */
async function recordFailure(tx: Kysely<Database>, key: string, allowed: number, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - WINDOW_MS);
  const row = await tx
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, window_started: now, locked_until: null })
    .onConflict((c) =>
      c.column('key').doUpdateSet({
        failures: sql`CASE WHEN sign_in_throttle.window_started < ${windowStart} THEN 1 ELSE sign_in_throttle.failures + 1 END`,
        window_started: sql`CASE WHEN sign_in_throttle.window_started < ${windowStart} THEN ${now}::timestamptz ELSE sign_in_throttle.window_started END`,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  if (row.failures <= allowed) return 0;
  const lockMs = Math.min(FIRST_LOCK_MS * 2 ** (row.failures - allowed - 1), MAX_LOCK_MS);
  await tx
    .updateTable('sign_in_throttle')
    .set({ locked_until: new Date(now.getTime() + lockMs) })
    .where('key', '=', key)
    .execute();
  return lockMs;
}

/** What a refused sign-in answers: its status, the words for the patient, and when to try again. */
export function signInRefusal(answer: SignInRefused) {
  if (answer.refused === 'credentials') return { status: 401, message: 'That username and password do not match.' };
  const minutes = Math.ceil(answer.retryAfterSeconds / 60);
  const wait = answer.retryAfterSeconds < 60 ? `${answer.retryAfterSeconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return { status: 429, message: `Too many attempts to sign in. Please wait ${wait}, then try again.`, retryAfterSeconds: answer.retryAfterSeconds };
}
