// Patient accounts: an administrator invites a patient and gets a one-time enrolment link; the
// patient opens it in the portal and sets their own password. A forgotten password is reset the same
// way. No administrator ever sees or sets a patient's password; the database keeps only a hash of
// each link's token, and a link works once, until it expires.
import type { Kysely } from 'kysely';
import { directoryRuleBroken, notFound } from '../../platform/errors.js';
import { randomToken, tokenHash } from '../../platform/secret-tokens.js';
import type { Database } from '../../database.js';
import type { PatientAccountState } from './tables.js';
import { requireRole, toPatientReference, type Caller } from '../identity/caller.js';
import { hashPassword } from './passwords.js';
import { auditDirectoryChange, type DirectoryDeps } from './records.js';
import type { PatientAccountView } from './schemas.js';

export type LinkPurpose = 'enrol' | 'reset';
const LINK_HOURS: Record<LinkPurpose, number> = { enrol: 7 * 24, reset: 24 };
const ACCOUNT_LINK_PATH = '/consent/portal/account';
export const MIN_PASSWORD_LENGTH = 10;

export function createPatientAccountUseCases({ db, clock, publicBaseUrl }: DirectoryDeps & { publicBaseUrl: string }) {
  /** A new account, invited: it has no password until the patient enrols through the link in the answer. */
  async function invitePatient(caller: Caller, input: { username: string; patientId: string; name?: string }): Promise<PatientAccountView> {
    requireRole(caller, 'admin');
    const patientId = toPatientReference(input.patientId);
    return db.transaction().execute(async (tx) => {
      const taken = await tx
        .insertInto('patient_account')
        .values({ username: input.username, patient_id: patientId, name: input.name ?? null, password_hash: null, state: 'invited' })
        .onConflict((c) => c.doNothing())
        .returning('username')
        .executeTakeFirst();
      if (!taken) throw directoryRuleBroken(409, 'ALREADY_IN_DIRECTORY', `The username ${input.username} is taken`, 'body.username');
      await auditDirectoryChange(tx, clock, caller, 'directory.patient-account.invite', 'PatientAccount', input.username, { patientId });
      return { username: input.username, patientId, name: input.name ?? null, state: 'invited', link: await issueLink(tx, input.username, 'enrol') };
    });
  }

  /** A one-time link to set a new password: enrolment again for an account still invited, else a reset. */
  async function issueAccountLink(caller: Caller, username: string): Promise<PatientAccountView> {
    requireRole(caller, 'admin');
    return db.transaction().execute(async (tx) => {
      const account = await tx
        .selectFrom('patient_account')
        .select(['username', 'patient_id', 'name', 'state'])
        .where('username', '=', username)
        .forUpdate()
        .executeTakeFirst();
      if (!account) throw notFound(`The patient account ${username}`);
      if (account.state === 'disabled') throw directoryRuleBroken(409, 'ACCOUNT_DISABLED', `The patient account ${username} is disabled: enable it first`);
      const purpose: LinkPurpose = account.state === 'invited' ? 'enrol' : 'reset';
      await auditDirectoryChange(tx, clock, caller, `directory.patient-account.${purpose}-link`, 'PatientAccount', username, {});
      return { username, patientId: account.patient_id, name: account.name, state: account.state, link: await issueLink(tx, username, purpose) };
    });
  }

  /** Enables or disables an account; disabling ends every sign-in to it (portal sessions included) and its unused links. */
  async function setPatientAccountState(caller: Caller, username: string, state: 'active' | 'disabled'): Promise<PatientAccountView> {
    requireRole(caller, 'admin');
    return db.transaction().execute(async (tx) => {
      const account = await tx
        .selectFrom('patient_account')
        .select(['patient_id', 'name', 'state', 'password_hash'])
        .where('username', '=', username)
        .forUpdate()
        .executeTakeFirst();
      if (!account) throw notFound(`The patient account ${username}`);
      const next: PatientAccountState = state === 'active' && account.password_hash === null ? 'invited' : state;
      const endsSignIns = next === 'disabled' ? { sign_ins_valid_from: clock.now() } : {};
      await tx
        .updateTable('patient_account')
        .set({ state: next, ...endsSignIns })
        .where('username', '=', username)
        .execute();
      if (next === 'disabled') {
        await tx.updateTable('account_link').set({ used_at: clock.now() }).where('username', '=', username).where('used_at', 'is', null).execute();
      }
      await auditDirectoryChange(tx, clock, caller, `directory.patient-account.${next === 'disabled' ? 'disable' : 'enable'}`, 'PatientAccount', username, {
        from: account.state,
        to: next,
      });
      return { username, patientId: account.patient_id, name: account.name, state: next };
    });
  }

  async function listPatientAccounts(caller: Caller): Promise<PatientAccountView[]> {
    requireRole(caller, 'admin');
    const rows = await db.selectFrom('patient_account').select(['username', 'patient_id', 'name', 'state']).orderBy('username').execute();
    return rows.map((row) => ({ username: row.username, patientId: row.patient_id, name: row.name, state: row.state }));
  }

  async function issueLink(tx: Kysely<Database>, username: string, purpose: LinkPurpose) {
    const token = randomToken();
    const expiresAt = new Date(clock.now().getTime() + LINK_HOURS[purpose] * 3_600_000);
    await tx
      .insertInto('account_link')
      .values({ token_hash: tokenHash(token), username, purpose, expires_at: expiresAt, used_at: null })
      .execute();
    return { url: `${publicBaseUrl}${ACCOUNT_LINK_PATH}?token=${token}`, purpose, expiresAt: expiresAt.toISOString() };
  }

  return { invitePatient, issueAccountLink, setPatientAccountState, listPatientAccounts };
}

/** What an unused, unexpired link opens: its account and purpose. */
export async function openAccountLink(db: Kysely<Database>, token: string, now: Date) {
  const row = await db
    .selectFrom('account_link')
    .innerJoin('patient_account', 'patient_account.username', 'account_link.username')
    .select(['account_link.username', 'account_link.purpose', 'patient_account.patient_id'])
    .where('token_hash', '=', tokenHash(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('patient_account.state', '!=', 'disabled')
    .executeTakeFirst();
  return row && { username: row.username, purpose: row.purpose, patientId: row.patient_id };
}

/**
 * Sets the password through a link, once: the link is used up and the account becomes active, in one
 * transaction. False when the link is unknown, used, expired or its account disabled.
 */
export async function setPasswordWithLink({ db, clock }: DirectoryDeps, token: string, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable('account_link')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['username', 'purpose'])
      .executeTakeFirst();
    if (!used) return false;
    const account = await tx
      .updateTable('patient_account')
      .set({ password_hash: passwordHash, state: 'active', sign_ins_valid_from: now })
      .where('username', '=', used.username)
      .where('state', '!=', 'disabled')
      .returning('username')
      .executeTakeFirst();
    if (!account) throw directoryRuleBroken(409, 'ACCOUNT_DISABLED', 'This account is disabled');
    await tx.updateTable('account_link').set({ used_at: now }).where('username', '=', used.username).where('used_at', 'is', null).execute();
    const self = { sub: `portal:${used.username}`, roles: [] };
    await auditDirectoryChange(
      tx,
      clock,
      self,
      `directory.patient-account.${used.purpose === 'enrol' ? 'enrolled' : 'password-reset'}`,
      'PatientAccount',
      used.username,
      {},
    );
    return true;
  });
}
