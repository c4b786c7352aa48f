// Clinicians' sign-in accounts (the directory's practitioner_account): a practitioner of the directory,
// active, with a password of their own. The username is the practitioner's id. The clinician web app
// signs them in through the service's own OpenID Connect server (smart/provider.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from './passwords.js';

export interface PractitionerAccount {
  username: string;
  /** `Practitioner/<id>` */
  practitionerId: string;
  name: string;
}

/** The OpenID Connect subject of a clinician: apart from patients' usernames, which may be the same. */
export const CLINICIAN_SUBJECT_PREFIX = 'practitioner:';

/** The active practitioner's account when the password is theirs; an unknown or inactive one takes as long to refuse. */
export async function practitionerSignIn(db: Kysely<Database>, username: string, password: string): Promise<PractitionerAccount | undefined> {
  const row = await activeAccounts(db)
    .select(['practitioner.id', 'practitioner.name', 'practitioner_account.password_hash'])
    .where('practitioner.id', '=', username)
    .executeTakeFirst();
  const valid = await verifyPassword(password, row?.password_hash ?? UNKNOWN_ACCOUNT_HASH);
  return row && valid ? accountOf(row) : undefined;
}

/** The account of an active practitioner who has one. */
export async function activePractitionerAccount(db: Kysely<Database>, username: string): Promise<PractitionerAccount | undefined> {
  const row = await activeAccounts(db).select(['practitioner.id', 'practitioner.name']).where('practitioner.id', '=', username).executeTakeFirst();
  return row && accountOf(row);
}

/** Sets a practitioner's password (demo data; an administrator's enrolment link next). */
export async function setPractitionerPassword(db: Kysely<Database>, practitionerId: string, password: string): Promise<void> {
  const row = { password_hash: await hashPassword(password) };
  await db
    .insertInto('practitioner_account')
    .values({ practitioner_id: practitionerId, ...row })
    .onConflict((c) => c.column('practitioner_id').doUpdateSet(row))
    .execute();
}

const activeAccounts = (db: Kysely<Database>) =>
  db
    .selectFrom('practitioner_account')
    .innerJoin('practitioner', 'practitioner.id', 'practitioner_account.practitioner_id')
    .where('practitioner.active', '=', true);

const accountOf = (row: { id: string; name: string }): PractitionerAccount => ({ username: row.id, practitionerId: `Practitioner/${row.id}`, name: row.name });
