// The directory as clinicians read it to refer: the active organisations with their active facility
// apps (the app a patient consents to follows from the organisation chosen), and the active
// practitioners by name (so a referral's people are shown by name, not by id); and the caller's own
// roles, to refer from.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { organizationRef, practitionerRef } from '../vocabulary/references.js';
import type { Network } from './schemas.js';

export function directoryNetwork(db: Kysely<Database>) {
  return async function readNetwork(caller: Caller): Promise<Network> {
    requireRole(caller, 'clinician', 'admin');
    const [organizations, apps, practitioners] = await Promise.all([
      db.selectFrom('organization').select(['id', 'name', 'parent_id']).where('active', '=', true).orderBy('name').execute(),
      db
        .selectFrom('smart_client')
        .select(['client_id', 'name', 'organization_id', 'requested_resource_types'])
        .where('active', '=', true)
        .orderBy('name')
        .execute(),
      db.selectFrom('practitioner').select(['id', 'name']).where('active', '=', true).orderBy('name').execute(),
    ]);
    return {
      organizations: organizations.map((organization) => ({
        reference: organizationRef(organization.id),
        name: organization.name,
        partOf: organization.parent_id && organizationRef(organization.parent_id),
        apps: apps
          .filter((app) => app.organization_id === organizationRef(organization.id))
          .map((app) => ({ clientId: app.client_id, name: app.name, resourceTypes: app.requested_resource_types })),
      })),
      practitioners: practitioners.map((practitioner) => ({ reference: practitionerRef(practitioner.id), name: practitioner.name })),
      memberships: caller.memberships ?? [],
    };
  };
}
