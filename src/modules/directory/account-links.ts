// One-time links to set one's own password — to enrol, or after forgetting it — for a patient's
// account (opened in the consent portal) or a practitioner's (opened on the clinicians' page). No
// administrator ever sees or sets a password; the database keeps only a hash of each link's token;
// a link works once, until it expires, and setting a password through one uses up the account's
// other links and ends the sign-ins made before it.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { directoryRuleBroken } from '../../platform/errors.js';
import { randomToken, tokenHash } from '../../platform/secret-tokens.js';
import type { Database } from '../../database.js';
import { hashPassword } from './passwords.js';
import { auditDirectoryChange } from './records.js';

export type LinkPurpose = 'enrol' | 'reset';
/** The account a link sets the password of: a patient's by username, a practitioner's by directory id. */
export type LinkedAccount = { kind: 'patient'; username: string } | { kind: 'practitioner'; practitionerId: string };

const LINK_HOURS: Record<LinkPurpose, number> = { enrol: 7 * 24, reset: 24 };
/** Where each kind of account's links open. */
export const ACCOUNT_LINK_PATHS = { patient: '/consent/portal/account', practitioner: '/clinicians/account' } as const;
export const MIN_PASSWORD_LENGTH = 10;

const accountColumns = (account: LinkedAccount) =>
  account.kind === 'patient' ? { username: account.username, practitioner_id: null } : { username: null, practitioner_id: account.practitionerId };
const accountIn = (row: { username: string | null; practitioner_id: string | null }): LinkedAccount =>
  row.username !== null ? { kind: 'patient', username: row.username } : { kind: 'practitioner', practitionerId: row.practitioner_id! };
/** How a page names the account: the username a patient signs in with, or the practitioner's id (their username). */
export const accountName = (account: LinkedAccount) => (account.kind === 'patient' ? account.username : account.practitionerId);

/** A new link for the account, inside the caller's transaction. */
export async function issueLink(tx: Kysely<Database>, clock: Clock, publicBaseUrl: string, account: LinkedAccount, purpose: LinkPurpose) {
  const token = randomToken();
  const expiresAt = new Date(clock.now().getTime() + LINK_HOURS[purpose] * 3_600_000);
  await tx
    .insertInto('account_link')
    .values({ token_hash: tokenHash(token), ...accountColumns(account), purpose, expires_at: expiresAt, used_at: null })
    .execute();
  return { url: `${publicBaseUrl}${ACCOUNT_LINK_PATHS[account.kind]}?token=${token}`, purpose, expiresAt: expiresAt.toISOString() };
}

/** Uses up every unused link of the account (it was disabled, or its password set). */
export async function useUpLinks(tx: Kysely<Database>, account: LinkedAccount, now: Date): Promise<void> {
  const column = account.kind === 'patient' ? 'username' : 'practitioner_id';
  await tx.updateTable('account_link').set({ used_at: now }).where(column, '=', accountName(account)).where('used_at', 'is', null).execute();
}

/** What an unused, unexpired link opens — its account and purpose — while the account may still set a password. */
export async function openAccountLink(db: Kysely<Database>, token: string, now: Date): Promise<{ account: LinkedAccount; purpose: LinkPurpose } | undefined> {
  const row = await db
    .selectFrom('account_link')
    .leftJoin('patient_account', 'patient_account.username', 'account_link.username')
    .leftJoin('practitioner', 'practitioner.id', 'account_link.practitioner_id')
    .select(['account_link.username', 'account_link.practitioner_id', 'account_link.purpose'])
    .where('token_hash', '=', tokenHash(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) => eb.or([eb('patient_account.state', '!=', 'disabled'), eb('practitioner.active', '=', true)]))
    .executeTakeFirst();
  return row && { account: accountIn(row), purpose: row.purpose };
}

export interface PasswordSetThroughLink {
  account: LinkedAccount;
  purpose: LinkPurpose;
}

/**
 * Sets the password through a link, once, in one transaction: the link and the account's other links
 * are used up, the account becomes active, its earlier sign-ins end (`endSignIns` ends those kept
 * outside the directory, in the same transaction), and the change is audited. Undefined when the
 * link is unknown, used or expired; 409 when its account is disabled.
 */
export async function setPasswordWithLink(
  { db, clock }: { db: Kysely<Database>; clock: Clock },
  token: string,
  password: string,
  endSignIns: (tx: Kysely<Database>, account: LinkedAccount) => Promise<void> = async () => {},
): Promise<PasswordSetThroughLink | undefined> {
  const passwordHash = await hashPassword(password);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable('account_link')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['username', 'practitioner_id', 'purpose'])
      .executeTakeFirst();
    if (!used) return undefined;
    const account = accountIn(used);
    if (!(await savePassword(tx, account, passwordHash, now))) throw directoryRuleBroken(409, 'ACCOUNT_DISABLED', 'This account is disabled');
    await useUpLinks(tx, account, now);
    await endSignIns(tx, account);
    const self = { sub: account.kind === 'patient' ? `portal:${account.username}` : `practitioner:${account.practitionerId}`, roles: [] };
    const action = `directory.${account.kind}-account.${used.purpose === 'enrol' ? 'enrolled' : 'password-reset'}`;
    await auditDirectoryChange(tx, clock, self, action, account.kind === 'patient' ? 'PatientAccount' : 'PractitionerAccount', accountName(account), {});
    return { account, purpose: used.purpose };
  });
}

/** Saves the new password of an account that may still set one; false when it may not (disabled). */
async function savePassword(tx: Kysely<Database>, account: LinkedAccount, passwordHash: string, now: Date): Promise<boolean> {
  if (account.kind === 'patient') {
    const saved = await tx
      .updateTable('patient_account')
      .set({ password_hash: passwordHash, state: 'active', sign_ins_valid_from: now })
      .where('username', '=', account.username)
      .where('state', '!=', 'disabled')
      .returning('username')
      .executeTakeFirst();
    return saved !== undefined;
  }
  const saved = await tx
    .updateTable('practitioner_account')
    .set({ password_hash: passwordHash })
    .where('practitioner_id', '=', account.practitionerId)
    .where(({ exists, selectFrom }) => exists(selectFrom('practitioner').select('id').where('id', '=', account.practitionerId).where('active', '=', true)))
    .returning('practitioner_id')
    .executeTakeFirst();
  return saved !== undefined;
}
