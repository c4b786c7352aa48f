// Patient accounts: an administrator invites a patient and gets a one-time enrolment link; the
// patient opens it in the portal and sets their own password. A forgotten password is reset the same
// way (account-links.ts).
import type { Kysely } from 'kysely';
import { directoryRuleBroken, notFound } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import type { PatientAccountState } from './tables.js';
import { requireRole, toPatientReference, type Caller } from '../identity/caller.js';
import { issueLink, useUpLinks, type LinkPurpose } from './account-links.js';
import { auditDirectoryChange, type DirectoryDeps } from './records.js';
import type { PatientAccountView } from './schemas.js';

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
      return { username: input.username, patientId, name: input.name ?? null, state: 'invited', link: await linkFor(tx, input.username, 'enrol') };
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
      return { username, patientId: account.patient_id, name: account.name, state: account.state, link: await linkFor(tx, username, purpose) };
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
        await useUpLinks(tx, { kind: 'patient', username }, clock.now());
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

  const linkFor = (tx: Kysely<Database>, username: string, purpose: LinkPurpose) => issueLink(tx, clock, publicBaseUrl, { kind: 'patient', username }, purpose);

  return { invitePatient, issueAccountLink, setPatientAccountState, listPatientAccounts };
}
