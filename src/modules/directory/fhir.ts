// The directory on /fhir, read-only and always current (answered from the directory's own tables):
// read and search of Organization, Practitioner, PractitionerRole and Endpoint by _id, name,
// identifier, organization, practitioner and active, paged with _count and _offset.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../database.js';
import { toFhirEndpoint, toFhirOrganization, toFhirPractitioner, toFhirPractitionerRole } from './fhir-resources.js';
import { idIn } from '../vocabulary/references.js';

const DIRECTORY_RESOURCE_TYPES = ['Organization', 'Practitioner', 'PractitionerRole', 'Endpoint'] as const;
export type DirectoryResourceType = (typeof DIRECTORY_RESOURCE_TYPES)[number];
export const isDirectoryResourceType = (type: string): type is DirectoryResourceType => (DIRECTORY_RESOURCE_TYPES as readonly string[]).includes(type);

/** Who reads: everything (clinicians, admins), the public face of facilities (patients), or one app's own records. */
export type DirectoryReader = { everything: true } | { facilities: true } | { app: { clientId: string; organization: string } };

export interface DirectoryAnswer {
  status: number;
  resource: Resource;
}

interface TypeSpec {
  table: 'organization' | 'practitioner' | 'practitioner_role' | 'smart_client';
  id: string;
  /** Search parameter → how a value of it matches. */
  parameters: Record<string, (value: string) => RawBuilder<boolean>>;
  toResource(row: never, baseUrl: string): Resource;
}

const MAX_COUNT = 200;
const DEFAULT_COUNT = 50;
const like = (value: string) => `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const isActive = (value: string) => sql<boolean>`active = ${value === 'true'}`;
const byName = (value: string) => sql<boolean>`name ILIKE ${like(value)}`;
/** `system|value`, `|value` or `value` against the identifiers column. */
const byIdentifier = (value: string) => {
  const at = value.indexOf('|');
  const wanted = at === -1 ? { value } : at === 0 ? { value: value.slice(1) } : { system: value.slice(0, at), value: value.slice(at + 1) };
  return sql<boolean>`identifiers @> ${JSON.stringify([wanted])}::jsonb`;
};
const bareOrganization = (value: string) => idIn('Organization', value) ?? value;

const SPECS: Record<DirectoryResourceType, TypeSpec> = {
  Organization: {
    table: 'organization',
    id: 'id',
    parameters: { name: byName, identifier: byIdentifier, active: isActive, partof: (v) => sql`parent_id = ${bareOrganization(v)}` },
    toResource: toFhirOrganization as never,
  },
  Practitioner: {
    table: 'practitioner',
    id: 'id',
    parameters: { name: byName, identifier: byIdentifier, active: isActive },
    toResource: toFhirPractitioner as never,
  },
  PractitionerRole: {
    table: 'practitioner_role',
    id: 'id',
    parameters: {
      organization: (v) => sql`organization_id = ${bareOrganization(v)}`,
      practitioner: (v) => sql`practitioner_id = ${idIn('Practitioner', v) ?? v}`,
      active: isActive,
      role: (v) => sql`role = ${v.split('|').pop()}`,
    },
    toResource: toFhirPractitionerRole as never,
  },
  Endpoint: {
    table: 'smart_client',
    id: 'client_id',
    parameters: {
      name: byName,
      identifier: (v) => sql`client_id = ${v.split('|').pop()}`,
      organization: (v) => sql`organization_id = ${`Organization/${bareOrganization(v)}`}`,
      status: (v) => isActive(String(v === 'active')),
    },
    toResource: toFhirEndpoint as never,
  },
};

export function directoryFhirReads(db: Kysely<Database>, baseUrl: string) {
  const fhirBase = `${baseUrl}/fhir`;

  /** Answers a GET of `path` (`Organization`, `Organization/x`) with `query`, as `reader` may see it. */
  async function read(reader: DirectoryReader, type: DirectoryResourceType, path: string, query: string): Promise<DirectoryAnswer> {
    const spec = SPECS[type];
    const [, id, ...rest] = path.split('/');
    if (rest.length > 0) return outcome(400, 'not-supported', 'The directory keeps no history here: read the current version');
    const visible = visibleTo(reader, type);
    if (!visible) return outcome(403, 'forbidden', `${type} records are not shared with this caller`);
    if (id) {
      const [row] = await rows(spec, [sql`${sql.ref(spec.id)} = ${id}`, visible], { count: 1, offset: 0 });
      return row ? { status: 200, resource: spec.toResource(row as never, baseUrl) } : outcome(404, 'not-found', `${type}/${id} is not in the directory`);
    }
    const search = parseSearch(spec, type, query);
    if (search.error !== undefined) return outcome(400, 'invalid', search.error);
    const conditions = [...search.conditions, visible];
    const found = await rows(spec, conditions, search.page);
    const [{ total }] = (
      await sql<{ total: number }>`SELECT count(*)::int AS total FROM ${sql.table(spec.table)} WHERE ${sql.join(conditions, sql` AND `)}`.execute(db)
    ).rows as [{ total: number }];
    return {
      status: 200,
      resource: searchset(
        type,
        found.map((row) => spec.toResource(row as never, baseUrl)),
        total,
        search.page,
      ),
    };
  }

  function rows(spec: TypeSpec, conditions: RawBuilder<unknown>[], page: { count: number; offset: number }) {
    return sql<Record<string, unknown>>`SELECT * FROM ${sql.table(spec.table)} WHERE ${sql.join(conditions, sql` AND `)}
      ORDER BY ${sql.ref(spec.id)} LIMIT ${page.count} OFFSET ${page.offset}`
      .execute(db)
      .then((result) => result.rows);
  }

  function searchset(type: string, resources: Resource[], total: number, page: { count: number; offset: number }): Bundle {
    const url = (offset: number) => `${fhirBase}/${type}?_count=${page.count}&_offset=${offset}`;
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total,
      link: [
        { relation: 'self', url: url(page.offset) },
        ...(page.offset + page.count < total ? [{ relation: 'next', url: url(page.offset + page.count) }] : []),
      ],
      entry: resources.map((resource) => ({ fullUrl: `${fhirBase}/${type}/${resource.id}`, search: { mode: 'match' as const }, resource })),
    };
  }

  return { read };
}

/** The condition narrowing `type` to what `reader` may see; undefined when they may see none of it. */
function visibleTo(reader: DirectoryReader, type: DirectoryResourceType): RawBuilder<boolean> | undefined {
  if ('everything' in reader) return sql<boolean>`true`;
  if ('facilities' in reader) return type === 'Organization' || type === 'Endpoint' ? sql<boolean>`true` : undefined;
  if (type === 'Endpoint') return sql<boolean>`client_id = ${reader.app.clientId}`;
  if (type === 'Organization') return sql<boolean>`id = ${idIn('Organization', reader.app.organization) ?? ''}`;
  return undefined;
}

function parseSearch(
  spec: TypeSpec,
  type: string,
  query: string,
): { error: string; conditions?: never; page?: never } | { error?: never; conditions: RawBuilder<boolean>[]; page: { count: number; offset: number } } {
  const conditions: RawBuilder<boolean>[] = [];
  const page = { count: DEFAULT_COUNT, offset: 0 };
  for (const [name, value] of new URLSearchParams(query)) {
    if (name === '_count' || name === '_offset') {
      const n = /^[0-9]{1,6}$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(n)) return { error: `${name} must be a whole number` };
      if (name === '_count') page.count = Math.min(Math.max(n, 1), MAX_COUNT);
      else page.offset = n;
      continue;
    }
    const match = name === '_id' ? (v: string) => sql<boolean>`${sql.ref(spec.id)} = ${v}` : spec.parameters[name];
    if (!match)
      return { error: `Search parameter ${name} is not supported for ${type}; supported: _id, ${Object.keys(spec.parameters).join(', ')}, _count, _offset` };
    const values = value.split(',').filter(Boolean);
    if (values.length === 0 || values.some((v) => v.includes('\u0000'))) return { error: `${name} needs a value` };
    conditions.push(sql<boolean>`(${sql.join(values.map(match), sql` OR `)})`);
  }
  return { conditions, page };
}

function outcome(status: number, code: string, diagnostics: string): DirectoryAnswer {
  return { status, resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: code as 'invalid', diagnostics }] } };
}
