// Loading the directory from a FHIR Bundle of Organization, Practitioner, PractitionerRole and
// Endpoint, the way directories are exchanged between systems. A `transaction` Bundle loads all of it
// or nothing; a `batch` loads each entry on its own and answers for each. Records are created or
// updated through the same use cases as the admin API, so every change is checked and audited.
import type { Bundle, BundleEntry, Endpoint, OperationOutcome, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { AppError, validationFailed } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { createAppUseCases } from './apps.js';
import { DIRECTORY_ROLE_SYSTEM } from './fhir-resources.js';
import { createRecordUseCases, type DirectoryDeps } from './records.js';
import { DIRECTORY_ROLES, type DirectoryRole } from '../vocabulary/roles.js';

const ORDER = ['Organization', 'Practitioner', 'PractitionerRole', 'Endpoint'];
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

interface EntryResponse {
  response: { status: string; location?: string; outcome?: OperationOutcome };
}

export function createImportUseCase(deps: DirectoryDeps) {
  async function importDirectory(caller: Caller, bundle: Bundle): Promise<Bundle & { entry: EntryResponse[] }> {
    requireRole(caller, 'admin');
    if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) {
      throw validationFailed('body.type', 'must be a Bundle of type transaction or batch');
    }
    const entries = (bundle.entry ?? []).map((entry, index) => ({ entry, index }));
    const depth = depthInBundle(bundle.entry ?? []);
    const ordered = [...entries].sort((a, b) => rank(a.entry) - rank(b.entry) || depth(a.entry) - depth(b.entry));
    const responses: EntryResponse[] = new Array(entries.length);
    if (bundle.type === 'transaction') {
      await inTransaction(deps.db, async (tx) => {
        for (const { entry, index } of ordered) {
          try {
            responses[index] = await importEntry({ ...deps, db: tx }, caller, entry);
          } catch (error) {
            throw entryError(error, index);
          }
        }
      });
    } else {
      for (const { entry, index } of ordered) responses[index] = await importEntry(deps, caller, entry).catch((error) => failed(error));
    }
    return { resourceType: 'Bundle', type: `${bundle.type}-response`, entry: responses };
  }

  return { importDirectory };
}

async function importEntry(deps: DirectoryDeps, caller: Caller, entry: BundleEntry): Promise<EntryResponse> {
  const resource = entry.resource;
  if (!resource || !ORDER.includes(resource.resourceType)) throw validationFailed('resource', `must be one of ${ORDER.join(', ')}`);
  if (!resource.id || !FHIR_ID.test(resource.id)) throw validationFailed('resource.id', 'must be a FHIR id');
  const records = createRecordUseCases(deps);
  const apps = createAppUseCases(deps);
  switch (resource.resourceType) {
    case 'Organization': {
      const org = resource as Organization;
      await records.saveOrganization(
        caller,
        {
          id: org.id!,
          name: required(org.name, 'Organization.name'),
          active: org.active ?? true,
          partOf: org.partOf?.reference ?? null,
          identifiers: identifiersOf(org.identifier),
        },
        { upsert: true },
      );
      break;
    }
    case 'Practitioner': {
      const practitioner = resource as Practitioner;
      const name = practitioner.name?.[0];
      const text = name?.text ?? [...(name?.prefix ?? []), ...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
      await records.savePractitioner(
        caller,
        {
          id: practitioner.id!,
          name: required(text, 'Practitioner.name'),
          active: practitioner.active ?? true,
          identifiers: identifiersOf(practitioner.identifier),
        },
        { upsert: true },
      );
      break;
    }
    case 'PractitionerRole': {
      const role = resource as PractitionerRole;
      const code = role.code?.flatMap((concept) => concept.coding ?? []).find((coding) => coding.system === DIRECTORY_ROLE_SYSTEM)?.code;
      if (!code || !(DIRECTORY_ROLES as readonly string[]).includes(code))
        throw validationFailed('PractitionerRole.code', `needs a coding of ${DIRECTORY_ROLE_SYSTEM}: ${DIRECTORY_ROLES.join(', ')}`);
      const practitionerId = required(role.practitioner?.reference?.replace(/^Practitioner\//, ''), 'PractitionerRole.practitioner');
      const added = await records.addRole(
        caller,
        practitionerId,
        { organization: required(role.organization?.reference, 'PractitionerRole.organization'), role: code as DirectoryRole },
        role.id,
      );
      if (role.active === false) await records.setRoleActive(caller, added.id, false);
      break;
    }
    case 'Endpoint': {
      const endpoint = resource as Endpoint;
      const fields = { name: required(endpoint.name, 'Endpoint.name'), redirectUris: [endpoint.address], active: endpoint.status === 'active' };
      const known = await deps.db.selectFrom('smart_client').select('client_id').where('client_id', '=', endpoint.id!).executeTakeFirst();
      if (known) await apps.updateApp(caller, endpoint.id!, fields);
      else
        await apps.registerApp(caller, {
          clientId: endpoint.id!,
          organization: required(endpoint.managingOrganization?.reference, 'Endpoint.managingOrganization'),
          resourceTypes: [],
          ...fields,
        });
      break;
    }
  }
  return { response: { status: '200 OK', location: `${resource.resourceType}/${resource.id}` } };
}

function required<T>(value: T | undefined | null | '', field: string): T {
  if (value === undefined || value === null || value === '') throw validationFailed(field, 'is required');
  return value;
}

function identifiersOf(list: { system?: string; value?: string }[] | undefined) {
  return (list ?? []).flatMap(({ system, value }) => (value ? [{ ...(system && { system }), value }] : []));
}

const rank = (entry: BundleEntry) => ORDER.indexOf(entry.resource?.resourceType ?? '') + (entry.resource ? 0 : ORDER.length);

/** How many of an organisation's ancestors the bundle holds too: loading by depth puts parents first. */
function depthInBundle(entries: BundleEntry[]) {
  const parents = new Map(
    entries.flatMap((entry) =>
      entry.resource?.resourceType === 'Organization' ? [[`Organization/${entry.resource.id}`, (entry.resource as Organization).partOf?.reference]] : [],
    ),
  );
  return (entry: BundleEntry) => {
    let depth = 0;
    for (
      let parent = (entry.resource as Organization | undefined)?.partOf?.reference;
      parent && parents.has(parent) && depth <= parents.size;
      parent = parents.get(parent)
    )
      depth++;
    return depth;
  };
}

function entryError(error: unknown, index: number): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(error.status, error.code, `entry[${index}]: ${error.message}`, { ...error.details, entry: index });
}

function failed(error: unknown): EntryResponse {
  if (!(error instanceof AppError)) throw error;
  return {
    response: {
      status: `${error.status}`,
      outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: error.message }] },
    },
  };
}
