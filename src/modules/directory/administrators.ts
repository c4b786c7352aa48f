// The administrators of this instance. The first is created by `npm run admin -- bootstrap` on an
// install that has none; an admin token is honoured only while its subject is an active administrator.
import { directoryRuleBroken } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import { auditDirectoryChange, type DirectoryDeps } from './records.js';

/** Creates the first administrator; refused once there is one (further ones are added by an admin). */
export async function bootstrapAdministrator({ db, clock }: DirectoryDeps, username: string, name = username): Promise<void> {
  await inTransaction(db, async (tx) => {
    const existing = await tx.selectFrom('administrator').select('username').limit(1).executeTakeFirst();
    if (existing)
      throw directoryRuleBroken(
        409,
        'ALREADY_BOOTSTRAPPED',
        `This instance already has an administrator (${existing.username}); mint a token for one with: npm run admin -- token <username>`,
      );
    await addAdministrator(tx, clock, username, name);
  });
}

/** Adds an administrator (once per username); audited as the bootstrap or as the admin who added them. */
export async function addAdministrator(
  db: DirectoryDeps['db'],
  clock: DirectoryDeps['clock'],
  username: string,
  name: string,
  by = 'bootstrap',
): Promise<void> {
  const added = await db
    .insertInto('administrator')
    .values({ username, name, active: true, created_at: clock.now() })
    .onConflict((c) => c.doNothing())
    .returning('username')
    .executeTakeFirst();
  if (added) await auditDirectoryChange(db, clock, { sub: by, roles: ['admin'] }, 'directory.administrator.add', 'Administrator', username, {});
}
