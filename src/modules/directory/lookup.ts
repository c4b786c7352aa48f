// What every other module asks the directory: which organisations a practitioner acts for and in
// which roles, whether an administrator is known, and the organisations and facility apps that
// referrals and consent grants name. Only active records count.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { Membership } from '../vocabulary/roles.js';
import { idIn, organizationRef } from '../vocabulary/references.js';
import { findAccount, type PatientAccount } from './accounts.js';
import type { DirectoryCache } from './directory-cache.js';

export interface OrganizationRecord {
  /** `Organization/<id>` */
  reference: string;
  name: string;
  active: boolean;
  /** `Organization/<id>` of the organisation it is a department or unit of. */
  partOf: string | null;
}

export interface FacilityAppRecord {
  clientId: string;
  name: string;
  /** `Organization/<id>` */
  organization: string;
  active: boolean;
  requestedResourceTypes: string[];
}

export interface DirectoryLookup {
  /** The active roles of an active practitioner at active organisations; undefined when the directory does not know them. */
  membershipsOf(practitioner: string): Promise<Membership[] | undefined>;
  isAdministrator(username: string): Promise<boolean>;
  /** A patient's account while it is active (a SMART token's patient), else undefined. */
  activePatientAccount(username: string): Promise<PatientAccount | undefined>;
  organization(reference: string): Promise<OrganizationRecord | undefined>;
  app(clientId: string): Promise<FacilityAppRecord | undefined>;
  /** How the authorization server knows an active app: its redirect URIs and (confidential apps) its secret. */
  appRegistration(clientId: string): Promise<AppRegistration | undefined>;
  /** Every registered app, active or not, by name. */
  allApps(): Promise<FacilityAppRecord[]>;
  /**
   * A referral's receiving parties in one round trip: the performer and receiving organisations,
   * and the named app (active or not) — or, with none named, the receiving organisation's active apps.
   */
  receivingParties(query: { performer: string; receiver: string; clientId?: string }): Promise<ReceivingParties>;
  /** The same lookups inside a caller's transaction (on the embedded database, the only connection). */
  within(tx: Kysely<Database>): DirectoryLookup;
}

interface AppRegistration {
  clientId: string;
  name: string;
  redirectUris: string[];
  /** Set for a confidential app, null for a public one (PKCE). */
  clientSecret: string | null;
}

interface ReceivingParties {
  performer?: OrganizationRecord;
  receiver?: OrganizationRecord;
  apps: FacilityAppRecord[];
}

type OrganizationRow = { id: string; name: string; active: boolean; parent_id: string | null };
const toOrganization = (row: OrganizationRow): OrganizationRecord => ({
  reference: organizationRef(row.id),
  name: row.name,
  active: row.active,
  partOf: row.parent_id && organizationRef(row.parent_id),
});

/** The directory as read through `db`; with `cache`, memberships, administrators and patients' accounts are kept between requests (directory-cache.ts). */
export function directoryLookup(db: Kysely<Database>, cache?: DirectoryCache): DirectoryLookup {
  const kept = <T>(key: string, load: () => Promise<T>): Promise<T> => (cache ? (cache.get(key, load) as Promise<T>) : load());
  const appColumns = ['client_id', 'name', 'organization_id', 'active', 'requested_resource_types'] as const;
  const toApp = (row: {
    client_id: string;
    name: string;
    organization_id: string;
    active: boolean;
    requested_resource_types: string[];
  }): FacilityAppRecord => ({
    clientId: row.client_id,
    name: row.name,
    organization: row.organization_id,
    active: row.active,
    requestedResourceTypes: row.requested_resource_types,
  });

  async function readMemberships(practitioner: string): Promise<Membership[] | undefined> {
    const id = idIn('Practitioner', practitioner);
    if (!id) return undefined;
    const rows = await db
      .selectFrom('practitioner as p')
      .leftJoin('practitioner_role as r', (join) => join.onRef('r.practitioner_id', '=', 'p.id').on('r.active', '=', true))
      .leftJoin('organization as o', (join) => join.onRef('o.id', '=', 'r.organization_id').on('o.active', '=', true))
      .select(['o.id as organization_id', 'r.role'])
      .where('p.id', '=', id)
      .where('p.active', '=', true)
      .execute();
    if (rows.length === 0) return undefined;
    return rows.flatMap((row) => (row.organization_id && row.role ? [{ organization: organizationRef(row.organization_id), role: row.role }] : []));
  }

  return {
    membershipsOf: (practitioner) => kept(`memberships ${practitioner}`, () => readMemberships(practitioner)),
    activePatientAccount: (username) => kept(`patient account ${username}`, () => findAccount(db, username)),
    isAdministrator: (username) =>
      kept(`administrator ${username}`, async () => {
        const row = await db.selectFrom('administrator').select('username').where('username', '=', username).where('active', '=', true).executeTakeFirst();
        return row !== undefined;
      }),
    async organization(reference) {
      const id = idIn('Organization', reference);
      const row = id && (await db.selectFrom('organization').selectAll().where('id', '=', id).executeTakeFirst());
      return row ? toOrganization(row) : undefined;
    },
    async receivingParties({ performer, receiver, clientId }) {
      const organization = (reference: string) =>
        sql<OrganizationRow | null>`(SELECT to_jsonb(o) FROM organization o WHERE o.id = ${idIn('Organization', reference) ?? ''})`;
      const app = sql`jsonb_build_object('client_id', client_id, 'name', name, 'organization_id', organization_id, 'active', active, 'requested_resource_types', to_jsonb(requested_resource_types))`;
      const apps = clientId
        ? sql`SELECT ${app} AS app FROM smart_client WHERE client_id = ${clientId}`
        : sql`SELECT ${app} AS app FROM smart_client WHERE organization_id = ${receiver} AND active ORDER BY client_id`;
      const { rows } = await sql<{ performer: OrganizationRow | null; receiver: OrganizationRow | null; apps: Parameters<typeof toApp>[0][] }>`
        SELECT ${organization(performer)} AS performer, ${organization(receiver)} AS receiver,
               (SELECT coalesce(jsonb_agg(listed.app), '[]'::jsonb) FROM (${apps}) AS listed) AS apps`.execute(db);
      const found = rows[0]!;
      return {
        performer: found.performer ? toOrganization(found.performer) : undefined,
        receiver: found.receiver ? toOrganization(found.receiver) : undefined,
        apps: found.apps.map(toApp),
      };
    },
    async app(clientId) {
      const row = await db.selectFrom('smart_client').select(appColumns).where('client_id', '=', clientId).executeTakeFirst();
      return row && toApp(row);
    },
    async appRegistration(clientId) {
      const row = await db
        .selectFrom('smart_client')
        .select(['client_id', 'name', 'redirect_uris', 'client_secret'])
        .where('client_id', '=', clientId)
        .where('active', '=', true)
        .executeTakeFirst();
      return row && { clientId: row.client_id, name: row.name, redirectUris: row.redirect_uris, clientSecret: row.client_secret };
    },
    async allApps() {
      const rows = await db.selectFrom('smart_client').select(appColumns).orderBy('name').execute();
      return rows.map(toApp);
    },
    within: (tx) => directoryLookup(tx),
  };
}
