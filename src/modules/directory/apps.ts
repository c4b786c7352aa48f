// Administering facility SMART apps: each belongs to exactly one organisation of the directory. A
// confidential app gets a client secret, shown once in the answer that made it and rotated on
// request; a deactivated app is unknown to the authorization server and takes no new consent.
import { directoryRuleBroken, notFound } from '../../platform/errors.js';
import { randomToken } from '../../platform/secret-tokens.js';
import { inTransaction } from '../../platform/transactions.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { idIn } from '../vocabulary/references.js';
import { auditDirectoryChange, type DirectoryDeps } from './records.js';
import type { AppInput, AppPatch, FacilityAppView } from './schemas.js';

interface AppRow {
  client_id: string;
  name: string;
  organization_id: string;
  redirect_uris: string[];
  requested_resource_types: string[];
  client_secret: string | null;
  active: boolean;
}

function toAppView(row: AppRow, shownSecret?: string): FacilityAppView {
  return {
    clientId: row.client_id,
    name: row.name,
    organization: row.organization_id,
    redirectUris: row.redirect_uris,
    resourceTypes: row.requested_resource_types,
    confidential: row.client_secret !== null,
    active: row.active,
    ...(shownSecret && { clientSecret: shownSecret }),
  };
}

export function createAppUseCases({ db, clock }: DirectoryDeps) {
  async function registerApp(caller: Caller, input: AppInput): Promise<FacilityAppView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const organization = await tx.selectFrom('organization').select('id').where('id', '=', idIn('Organization', input.organization)!).executeTakeFirst();
      if (!organization)
        throw directoryRuleBroken(
          422,
          'ORGANISATION_NOT_IN_DIRECTORY',
          `organization: ${input.organization} is not an organisation in the directory`,
          'body.organization',
        );
      if (await tx.selectFrom('smart_client').select('client_id').where('client_id', '=', input.clientId).executeTakeFirst()) {
        throw directoryRuleBroken(409, 'ALREADY_IN_DIRECTORY', `The app ${input.clientId} is already registered`, 'body.clientId');
      }
      const secret = input.confidential ? randomToken() : undefined;
      const row = await tx
        .insertInto('smart_client')
        .values({
          client_id: input.clientId,
          name: input.name,
          organization_id: input.organization,
          redirect_uris: input.redirectUris,
          public_client: !secret,
          requested_resource_types: input.resourceTypes,
          client_secret: secret ?? null,
          active: input.active ?? true,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await auditDirectoryChange(tx, clock, caller, 'directory.app.register', 'FacilityApp', row.client_id, {
        organization: input.organization,
        confidential: Boolean(secret),
      });
      return toAppView(row, secret);
    });
  }

  async function updateApp(caller: Caller, clientId: string, patch: AppPatch): Promise<FacilityAppView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const row = await tx
        .updateTable('smart_client')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.redirectUris !== undefined && { redirect_uris: patch.redirectUris }),
          ...(patch.resourceTypes !== undefined && { requested_resource_types: patch.resourceTypes }),
          ...(patch.active !== undefined && { active: patch.active }),
        })
        .where('client_id', '=', clientId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound(`The app ${clientId}`);
      await auditDirectoryChange(tx, clock, caller, 'directory.app.update', 'FacilityApp', clientId, { fields: Object.keys(patch) });
      return toAppView(row);
    });
  }

  /** A new secret for a confidential app; the old one stops working at once. */
  async function rotateAppSecret(caller: Caller, clientId: string): Promise<FacilityAppView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const current = await tx.selectFrom('smart_client').select('client_secret').where('client_id', '=', clientId).forUpdate().executeTakeFirst();
      if (!current) throw notFound(`The app ${clientId}`);
      if (current.client_secret === null)
        throw directoryRuleBroken(409, 'PUBLIC_APP_HAS_NO_SECRET', `The app ${clientId} is public: it has no secret to rotate`);
      const secret = randomToken();
      const row = await tx
        .updateTable('smart_client')
        .set({ client_secret: secret })
        .where('client_id', '=', clientId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await auditDirectoryChange(tx, clock, caller, 'directory.app.rotate-secret', 'FacilityApp', clientId, {});
      return toAppView(row, secret);
    });
  }

  async function listApps(caller: Caller): Promise<FacilityAppView[]> {
    requireRole(caller, 'admin');
    return (await db.selectFrom('smart_client').selectAll().orderBy('client_id').execute()).map((row) => toAppView(row));
  }

  async function getApp(caller: Caller, clientId: string): Promise<FacilityAppView> {
    requireRole(caller, 'admin');
    const row = await db.selectFrom('smart_client').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    if (!row) throw notFound(`The app ${clientId}`);
    return toAppView(row);
  }

  return { registerApp, updateApp, rotateAppSecret, listApps, getApp };
}
