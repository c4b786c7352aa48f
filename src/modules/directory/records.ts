// Administering organisations, practitioners and practitioner roles: create, read, update and
// deactivate (never delete: referrals and grants refer to them), each change audited in the same
// transaction on the directory's own audit chain.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { directoryRuleBroken, notFound } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import type { Database } from '../../database.js';
import type { DirectoryIdentifier } from './tables.js';
import { appendAuditEvent } from '../audit/repo.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { idIn, organizationRef, practitionerRef } from '../vocabulary/references.js';
import { DIRECTORY_CHANGED } from './directory-cache.js';
import type {
  AddRoleInput,
  OrganizationInput,
  OrganizationPatch,
  OrganizationView,
  PractitionerInput,
  PractitionerPatch,
  PractitionerView,
  RoleView,
} from './schemas.js';

export interface DirectoryDeps {
  db: Kysely<Database>;
  clock: Clock;
}

/** Records a change to the directory: who changed which record, and the fields they set. */
export async function auditDirectoryChange(
  tx: Kysely<Database>,
  clock: Clock,
  caller: Caller,
  action: string,
  entityType: string,
  entityId: string,
  detail: Record<string, unknown>,
) {
  // Other processes forget what they keep of the directory when this transaction commits.
  await sql`SELECT pg_notify(${DIRECTORY_CHANGED}, '')`.execute(tx);
  return appendAuditEvent(tx, clock, { actor: caller.sub, action, outcome: 'success', entityType, entityId, chain: 'directory', detail });
}

type OrganizationRow = Awaited<ReturnType<typeof findOrganization>> & object;
const findOrganization = (db: Kysely<Database>, id: string) => db.selectFrom('organization').selectAll().where('id', '=', id).executeTakeFirst();

function toOrganizationView(row: OrganizationRow): OrganizationView {
  return {
    id: row.id,
    reference: organizationRef(row.id),
    name: row.name,
    active: row.active,
    partOf: row.parent_id && organizationRef(row.parent_id),
    identifiers: row.identifiers,
  };
}

export function createRecordUseCases({ db, clock }: DirectoryDeps) {
  /** Creates an organisation, or updates it when `upsert` and it exists (an import). */
  async function saveOrganization(caller: Caller, input: OrganizationInput, options: { upsert?: boolean } = {}): Promise<OrganizationView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const existing = await findOrganization(tx, input.id);
      if (existing && !options.upsert)
        throw directoryRuleBroken(409, 'ALREADY_IN_DIRECTORY', `Organization/${input.id} is already in the directory`, 'body.id');
      const parentId = await checkedParent(tx, input.id, input.partOf);
      const values = {
        name: input.name,
        active: input.active ?? true,
        parent_id: parentId ?? null,
        identifiers: JSON.stringify(input.identifiers ?? []),
        updated_at: clock.now(),
      };
      const row = existing
        ? await tx.updateTable('organization').set(values).where('id', '=', input.id).returningAll().executeTakeFirstOrThrow()
        : await tx
            .insertInto('organization')
            .values({ id: input.id, ...values })
            .returningAll()
            .executeTakeFirstOrThrow();
      await auditDirectoryChange(tx, clock, caller, existing ? 'directory.organization.update' : 'directory.organization.create', 'Organization', row.id, {
        fields: Object.keys(input),
      });
      return toOrganizationView(row);
    });
  }

  async function updateOrganization(caller: Caller, id: string, patch: OrganizationPatch): Promise<OrganizationView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const existing = await tx.selectFrom('organization').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!existing) throw notFound(`Organization/${id}`);
      const parentId = patch.partOf === undefined ? existing.parent_id : await checkedParent(tx, id, patch.partOf);
      const row = await tx
        .updateTable('organization')
        .set({
          name: patch.name ?? existing.name,
          active: patch.active ?? existing.active,
          parent_id: parentId ?? null,
          identifiers: JSON.stringify(patch.identifiers ?? existing.identifiers),
          updated_at: clock.now(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await auditDirectoryChange(tx, clock, caller, 'directory.organization.update', 'Organization', id, { fields: Object.keys(patch) });
      return toOrganizationView(row);
    });
  }

  /** The parent must be in the directory, and no organisation may end up its own ancestor. */
  async function checkedParent(tx: Kysely<Database>, id: string, partOf: string | null | undefined): Promise<string | null | undefined> {
    if (!partOf) return partOf === undefined ? undefined : null;
    const parentId = idIn('Organization', partOf)!;
    for (let ancestor: string | null = parentId; ancestor;) {
      if (ancestor === id)
        throw directoryRuleBroken(422, 'ORGANISATION_CYCLE', `Organization/${id} cannot be part of ${partOf}: it would be its own parent`, 'body.partOf');
      const row: { parent_id: string | null } | undefined = await tx
        .selectFrom('organization')
        .select('parent_id')
        .where('id', '=', ancestor)
        .executeTakeFirst();
      if (!row)
        throw directoryRuleBroken(
          422,
          'ORGANISATION_NOT_IN_DIRECTORY',
          `partOf: ${organizationRef(ancestor)} is not an organisation in the directory`,
          'body.partOf',
        );
      ancestor = row.parent_id;
    }
    return parentId;
  }

  async function listOrganizations(caller: Caller): Promise<OrganizationView[]> {
    requireRole(caller, 'admin');
    return (await db.selectFrom('organization').selectAll().orderBy('id').execute()).map(toOrganizationView);
  }

  async function getOrganization(caller: Caller, id: string): Promise<OrganizationView> {
    requireRole(caller, 'admin');
    const row = await findOrganization(db, id);
    if (!row) throw notFound(`Organization/${id}`);
    return toOrganizationView(row);
  }

  async function savePractitioner(caller: Caller, input: PractitionerInput, options: { upsert?: boolean } = {}): Promise<PractitionerView> {
    requireRole(caller, 'admin');
    await inTransaction(db, async (tx) => {
      const existing = await tx.selectFrom('practitioner').select('id').where('id', '=', input.id).executeTakeFirst();
      if (existing && !options.upsert)
        throw directoryRuleBroken(409, 'ALREADY_IN_DIRECTORY', `Practitioner/${input.id} is already in the directory`, 'body.id');
      const values = { name: input.name, active: input.active ?? true, identifiers: JSON.stringify(input.identifiers ?? []), updated_at: clock.now() };
      if (existing) await tx.updateTable('practitioner').set(values).where('id', '=', input.id).execute();
      else
        await tx
          .insertInto('practitioner')
          .values({ id: input.id, ...values })
          .execute();
      await auditDirectoryChange(tx, clock, caller, existing ? 'directory.practitioner.update' : 'directory.practitioner.create', 'Practitioner', input.id, {
        fields: Object.keys(input),
      });
    });
    return getPractitioner(caller, input.id);
  }

  async function updatePractitioner(caller: Caller, id: string, patch: PractitionerPatch): Promise<PractitionerView> {
    requireRole(caller, 'admin');
    await inTransaction(db, async (tx) => {
      const existing = await tx.selectFrom('practitioner').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!existing) throw notFound(`Practitioner/${id}`);
      const identifiers: DirectoryIdentifier[] = patch.identifiers ?? existing.identifiers;
      await tx
        .updateTable('practitioner')
        .set({ name: patch.name ?? existing.name, active: patch.active ?? existing.active, identifiers: JSON.stringify(identifiers), updated_at: clock.now() })
        .where('id', '=', id)
        .execute();
      await auditDirectoryChange(tx, clock, caller, 'directory.practitioner.update', 'Practitioner', id, { fields: Object.keys(patch) });
    });
    return getPractitioner(caller, id);
  }

  async function getPractitioner(caller: Caller, id: string): Promise<PractitionerView> {
    requireRole(caller, 'admin');
    const [found] = await practitionersWithRoles(db, [id]);
    if (!found) throw notFound(`Practitioner/${id}`);
    return found;
  }

  async function listPractitioners(caller: Caller): Promise<PractitionerView[]> {
    requireRole(caller, 'admin');
    return practitionersWithRoles(db);
  }

  /** Gives a practitioner a role at an organisation (a deactivated one is active again). */
  async function addRole(caller: Caller, practitionerId: string, input: AddRoleInput, roleId?: string): Promise<RoleView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const organizationId = idIn('Organization', input.organization)!;
      if (!(await tx.selectFrom('practitioner').select('id').where('id', '=', practitionerId).executeTakeFirst()))
        throw notFound(`Practitioner/${practitionerId}`);
      if (!(await findOrganization(tx, organizationId))) {
        throw directoryRuleBroken(
          422,
          'ORGANISATION_NOT_IN_DIRECTORY',
          `organization: ${input.organization} is not an organisation in the directory`,
          'body.organization',
        );
      }
      const id = roleId ?? roleIdOf(practitionerId, input.role, organizationId);
      const row = await tx
        .insertInto('practitioner_role')
        .values({ id, practitioner_id: practitionerId, organization_id: organizationId, role: input.role, active: true, updated_at: clock.now() })
        .onConflict((c) => c.columns(['practitioner_id', 'organization_id', 'role']).doUpdateSet({ active: true, updated_at: clock.now() }))
        .returningAll()
        .executeTakeFirstOrThrow();
      await auditDirectoryChange(tx, clock, caller, 'directory.role.add', 'PractitionerRole', row.id, {
        practitioner: practitionerRef(practitionerId),
        organization: input.organization,
        role: input.role,
      });
      return toRoleView(row);
    });
  }

  async function setRoleActive(caller: Caller, roleId: string, active: boolean): Promise<RoleView> {
    requireRole(caller, 'admin');
    return inTransaction(db, async (tx) => {
      const row = await tx.updateTable('practitioner_role').set({ active, updated_at: clock.now() }).where('id', '=', roleId).returningAll().executeTakeFirst();
      if (!row) throw notFound(`PractitionerRole/${roleId}`);
      await auditDirectoryChange(tx, clock, caller, active ? 'directory.role.activate' : 'directory.role.deactivate', 'PractitionerRole', roleId, {});
      return toRoleView(row);
    });
  }

  return {
    saveOrganization,
    updateOrganization,
    listOrganizations,
    getOrganization,
    savePractitioner,
    updatePractitioner,
    getPractitioner,
    listPractitioners,
    addRole,
    setRoleActive,
  };
}

/** `dr-smith.referrer.anytown-gp-practice`; a digest of it when that would be longer than a FHIR id may be. */
function roleIdOf(practitionerId: string, role: string, organizationId: string): string {
  const natural = `${practitionerId}.${role}.${organizationId}`;
  return natural.length <= 64 ? natural : `role-${createHash('sha256').update(natural).digest('hex').slice(0, 40)}`;
}

function toRoleView(row: { id: string; practitioner_id: string; organization_id: string; role: RoleView['role']; active: boolean }): RoleView {
  return {
    id: row.id,
    practitioner: practitionerRef(row.practitioner_id),
    organization: organizationRef(row.organization_id),
    role: row.role,
    active: row.active,
  };
}

/** Practitioners (all, or those with these ids) with every role they hold, active or not. */
async function practitionersWithRoles(db: Kysely<Database>, ids?: string[]): Promise<PractitionerView[]> {
  let query = db.selectFrom('practitioner').selectAll().orderBy('id');
  if (ids) query = query.where('id', 'in', ids);
  const practitioners = await query.execute();
  if (practitioners.length === 0) return [];
  const roles = await db
    .selectFrom('practitioner_role')
    .selectAll()
    .where(
      'practitioner_id',
      'in',
      practitioners.map((p) => p.id),
    )
    .orderBy('id')
    .execute();
  return practitioners.map((row) => ({
    id: row.id,
    reference: practitionerRef(row.id),
    name: row.name,
    active: row.active,
    identifiers: row.identifiers,
    roles: roles.filter((role) => role.practitioner_id === row.id).map(toRoleView),
  }));
}
