// Patients' sign-in accounts (the directory's patient_account), for the consent portal and the SMART
// sign-in: who a username is, whether a password is theirs, and the caller they act as.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { Caller } from '../identity/caller.js';
import { UNKNOWN_ACCOUNT_HASH, verifyPassword } from './passwords.js';

export interface PatientAccount {
  username: string;
  /** `Patient/<id>` */
  patientId: string;
  /** How the patient is greeted: their name, or their username when the account has none. */
  greeting: string;
}

const accountOf = (row: { username: string; patient_id: string; name: string | null }): PatientAccount => ({
  username: row.username,
  patientId: row.patient_id,
  greeting: row.name ?? row.username,
});

export async function findAccount(db: Kysely<Database>, username: string): Promise<PatientAccount | undefined> {
  const row = await db
    .selectFrom('patient_account')
    .select(['username', 'patient_id', 'name'])
    .where('username', '=', username)
    .where('state', '=', 'active')
    .executeTakeFirst();
  return row && accountOf(row);
}

/** The active account when the password is its own; an unknown, invited or disabled username takes as long to refuse. */
export async function signIn(db: Kysely<Database>, username: string, password: string): Promise<PatientAccount | undefined> {
  const row = await db.selectFrom('patient_account').selectAll().where('username', '=', username).where('state', '=', 'active').executeTakeFirst();
  const valid = await verifyPassword(password, row?.password_hash ?? UNKNOWN_ACCOUNT_HASH);
  return row && valid ? accountOf(row) : undefined;
}

/** The active account, when a sign-in to it at `signedInAt` still stands (its password not set, nor the account disabled, since). */
export async function accountSignedInAt(db: Kysely<Database>, username: string, signedInAt: Date): Promise<PatientAccount | undefined> {
  const row = await db
    .selectFrom('patient_account')
    .select(['username', 'patient_id', 'name'])
    .where('username', '=', username)
    .where('state', '=', 'active')
    .where((eb) => eb.or([eb('sign_ins_valid_from', 'is', null), eb('sign_ins_valid_from', '<=', signedInAt)]))
    .executeTakeFirst();
  return row && accountOf(row);
}

export async function accountsOfPatient(db: Kysely<Database>, patientId: string): Promise<string[]> {
  const rows = await db.selectFrom('patient_account').select('username').where('patient_id', '=', patientId).execute();
  return rows.map((row) => row.username);
}

/** The patient acting for themself, through the portal or a SMART sign-in. */
export function patientCaller(channel: 'portal' | 'smart', account: PatientAccount): Caller {
  return { sub: `${channel}:${account.username}`, roles: ['patient'], fhirUser: account.patientId, patient: account.patientId };
}

/** A SMART token names the patient by bare id. */
export const bareId = (reference: string) => reference.replace(/^Patient\//, '');
