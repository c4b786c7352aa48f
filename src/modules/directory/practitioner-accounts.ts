// Clinicians' sign-in accounts (the directory's practitioner_account): a practitioner of the directory,
// active, with a password of their own, which they set through a one-time link an administrator gives
// them (account-links.ts). The username is the practitioner's id. The clinician web app signs them in
// through the service's own OpenID Connect server (smart/provider.ts).
import type { Kysely } from 'kysely';
import { directoryRuleBroken, notFound } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { practitionerRef } from '../vocabulary/references.js';
import { issueLink } from './account-links.js';
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from './passwords.js';
import { auditDirectoryChange, type DirectoryDeps } from './records.js';
import type { PractitionerAccountView } from './schemas.js';

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

/** Sets a practitioner's password directly: the demo clinicians' only. */
export async function setPractitionerPassword(db: Kysely<Database>, practitionerId: string, password: string): Promise<void> {
  const row = { password_hash: await hashPassword(password) };
  await db
    .insertInto('practitioner_account')
    .values({ practitioner_id: practitionerId, ...row })
    .onConflict((c) => c.column('practitioner_id').doUpdateSet(row))
    .execute();
}

/** Accounts that sign in: of an active practitioner, with a password set. */
const activeAccounts = (db: Kysely<Database>) =>
  db
    .selectFrom('practitioner_account')
    .innerJoin('practitioner', 'practitioner.id', 'practitioner_account.practitioner_id')
    .where('practitioner.active', '=', true)
    .where('practitioner_account.password_hash', 'is not', null);

const accountOf = (row: { id: string; name: string }): PractitionerAccount => ({ username: row.id, practitionerId: `Practitioner/${row.id}`, name: row.name });

export function createPractitionerAccountUseCases({ db, clock, publicBaseUrl }: DirectoryDeps & { publicBaseUrl: string }) {
  /**
   * A one-time link for an active practitioner to set their password: enrolment when they have none
   * yet (the account is made, invited), else a reset. Setting it ends their earlier sign-ins.
   */
  async function issuePractitionerLink(caller: Caller, practitionerId: string): Promise<PractitionerAccountView> {
    requireRole(caller, 'admin');
    return db.transaction().execute(async (tx) => {
      const practitioner = await tx.selectFrom('practitioner').select(['id', 'active']).where('id', '=', practitionerId).executeTakeFirst();
      if (!practitioner) throw notFound(`The practitioner ${practitionerId}`);
      if (!practitioner.active) {
        throw directoryRuleBroken(409, 'ACCOUNT_DISABLED', `The practitioner ${practitionerId} is inactive: make them active first`);
      }
      await tx
        .insertInto('practitioner_account')
        .values({ practitioner_id: practitionerId, password_hash: null })
        .onConflict((c) => c.column('practitioner_id').doNothing())
        .execute();
      const account = await tx
        .selectFrom('practitioner_account')
        .select('password_hash')
        .where('practitioner_id', '=', practitionerId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const purpose = account.password_hash === null ? 'enrol' : 'reset';
      await auditDirectoryChange(tx, clock, caller, `directory.practitioner-account.${purpose}-link`, 'PractitionerAccount', practitionerId, {});
      const link = await issueLink(tx, clock, publicBaseUrl, { kind: 'practitioner', practitionerId }, purpose);
      return { practitioner: practitionerRef(practitionerId), username: practitionerId, state: purpose === 'enrol' ? 'invited' : 'active', link };
    });
  }

  return { issuePractitionerLink };
}
