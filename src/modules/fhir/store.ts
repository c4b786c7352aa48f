// The embedded FHIR store: a @medplum/fhir-router repository on our PostgreSQL (or PGlite). Each
// resource's current version lives in fhir_resource with the columns search needs; every version
// lives in fhir_resource_history for vread and _history.
import '../../platform/node-globals.js';
import { randomUUID } from 'node:crypto';
import { badRequest, deepEquals, gone, notFound, OperationOutcomeError, preconditionFailed, type SearchRequest } from '@medplum/core';
import type { Bundle, Reference, Resource } from '@medplum/fhirtypes';
import { FhirRepository, type RepositoryMode } from '@medplum/fhir-router';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/schema.js';
import { searchColumnsOf } from './search-columns.js';
import { searchStore } from './search.js';

type WithId<T extends Resource> = T & { id: string };
type Db = Kysely<Database>;

export class PgFhirRepository extends FhirRepository {
  constructor(
    private readonly db: Db,
    /** The public base of /fhir, for paging links. */
    private readonly fhirBaseUrl: string,
    private readonly inTransaction = false,
  ) {
    super();
  }

  setMode(_mode: RepositoryMode): void {}

  generateId(): string {
    return randomUUID();
  }

  async createResource<T extends Resource>(resource: T, options?: { assignedId?: boolean }): Promise<WithId<T>> {
    const id = resource.id && options?.assignedId ? resource.id : this.generateId();
    return this.write({ ...resource, id }, { mustBeNew: true });
  }

  async updateResource<T extends Resource>(resource: T, options?: { ifMatch?: string }): Promise<WithId<T>> {
    if (!resource.id) throw new OperationOutcomeError(badRequest('Missing id', `${resource.resourceType}.id`));
    return this.write(resource as WithId<T>, { ifMatch: options?.ifMatch });
  }

  async patchResource(): Promise<never> {
    throw new OperationOutcomeError(badRequest('PATCH is not supported by this server; use PUT'));
  }

  async deleteResource(resourceType: string, id: string, options?: { ifMatch?: string }): Promise<void> {
    await this.transaction(async (db) => {
      const current = await lockCurrent(db, resourceType, id);
      if (!current || current.deleted) throw new OperationOutcomeError(notFound);
      if (options?.ifMatch && options.ifMatch !== String(current.version_id)) throw new OperationOutcomeError(preconditionFailed);
      const versionId = current.version_id + 1;
      const lastUpdated = new Date();
      await db.updateTable('fhir_resource').set({ deleted: true, version_id: versionId, last_updated: lastUpdated }).where('resource_type', '=', resourceType).where('id', '=', id).execute();
      await db.insertInto('fhir_resource_history').values({ resource_type: resourceType, id, version_id: versionId, last_updated: lastUpdated, deleted: true, content: JSON.stringify({ resourceType, id }) }).execute();
    });
  }

  async readResource<T extends Resource>(resourceType: string, id: string): Promise<WithId<T>> {
    const row = await this.db.selectFrom('fhir_resource').select(['content', 'deleted']).where('resource_type', '=', resourceType).where('id', '=', id).executeTakeFirst();
    if (!row) throw new OperationOutcomeError(notFound);
    if (row.deleted) throw new OperationOutcomeError(gone);
    return asResource<T>(row.content);
  }

  async readReference<T extends Resource>(reference: Reference<T>): Promise<WithId<T>> {
    const [resourceType, id, extra] = reference.reference?.split('/') ?? [];
    if (!resourceType || !id || extra !== undefined) throw new OperationOutcomeError(badRequest('Invalid reference'));
    return this.readResource<T>(resourceType, id);
  }

  async readReferences<T extends Resource>(references: readonly Reference<T>[]): Promise<(T | Error)[]> {
    return Promise.all(references.map((reference) => this.readReference(reference).catch((error: Error) => error)));
  }

  async readHistory<T extends Resource>(resourceType: string, id: string, options?: { offset?: number; limit?: number }): Promise<Bundle<WithId<T>>> {
    const rows = await this.db
      .selectFrom('fhir_resource_history')
      .select(['content', 'deleted', 'version_id', 'last_updated'])
      .where('resource_type', '=', resourceType)
      .where('id', '=', id)
      .orderBy('version_id', 'desc')
      .offset(options?.offset ?? 0)
      .limit(Math.min(options?.limit ?? 100, 1000))
      .execute();
    if (rows.length === 0 && !options?.offset) throw new OperationOutcomeError(notFound);
    return {
      resourceType: 'Bundle',
      type: 'history',
      entry: rows.map((row) => ({
        fullUrl: `${this.fhirBaseUrl}/${resourceType}/${id}`,
        ...(row.deleted ? {} : { resource: asResource<T>(row.content) }),
        request: { method: row.deleted ? 'DELETE' : row.version_id === 1 ? 'POST' : 'PUT', url: `${resourceType}/${id}` },
        response: { status: row.deleted ? '204' : row.version_id === 1 ? '201' : '200', lastModified: row.last_updated.toISOString() },
      })),
    } as Bundle<WithId<T>>;
  }

  async readVersion<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<WithId<T>> {
    if (!/^[1-9][0-9]{0,8}$/.test(versionId)) throw new OperationOutcomeError(notFound);
    const row = await this.db
      .selectFrom('fhir_resource_history')
      .select(['content', 'deleted'])
      .where('resource_type', '=', resourceType)
      .where('id', '=', id)
      .where('version_id', '=', Number(versionId))
      .executeTakeFirst();
    if (!row) throw new OperationOutcomeError(notFound);
    if (row.deleted) throw new OperationOutcomeError(gone);
    return asResource<T>(row.content);
  }

  async search<T extends Resource>(searchRequest: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    return searchStore(this.db, searchRequest, this.fhirBaseUrl) as Promise<Bundle<WithId<T>>>;
  }

  async searchByReference(): Promise<never> {
    throw new OperationOutcomeError(badRequest('Search by reference is not supported by this server'));
  }

  async withTransaction<TResult>(callback: (txRepo: this) => Promise<TResult>): Promise<TResult> {
    return this.transaction((db) => callback(new PgFhirRepository(db, this.fhirBaseUrl, true) as this));
  }

  private transaction<R>(work: (db: Db) => Promise<R>): Promise<R> {
    return this.inTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  /**
   * Stores a new version, unless the content is what is stored already: then the stored version
   * stands, so delivering one state twice (a retried PUT) changes nothing.
   */
  private write<T extends Resource>(resource: WithId<T>, rules: { mustBeNew?: boolean; ifMatch?: string }): Promise<WithId<T>> {
    return this.transaction(async (db) => {
      const current = await lockCurrent(db, resource.resourceType, resource.id);
      if (current && rules.mustBeNew) throw new OperationOutcomeError(badRequest('Assigned ID is already in use'));
      if (rules.ifMatch && rules.ifMatch !== String(current?.version_id)) throw new OperationOutcomeError(preconditionFailed);
      const version = nextVersion(resource, current, new Date());
      if (!version) return asResource<T>(current!.content);
      await storeVersions(db, [version]);
      return version.stored as WithId<T>;
    });
  }

  /**
   * The mirror's delivery: PUTs of many resources in one statement. Each becomes a new version
   * unless its content is what is stored already; every new version joins the history.
   */
  async storeAll(resources: WithId<Resource>[]): Promise<void> {
    if (resources.length === 0) return;
    const latest = new Map(resources.map((resource) => [`${resource.resourceType}/${resource.id}`, resource]));
    const input = [...latest.values()].map(({ meta: _meta, ...content }) => ({ resource_type: content.resourceType, id: content.id, content, ...searchColumnsOf(content) }));
    await sql`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
          AS i(resource_type text, id text, content jsonb, compartments text[], statuses text[], identifiers text[])
      ), stored AS (
        INSERT INTO fhir_resource AS r (resource_type, id, version_id, last_updated, deleted, compartments, statuses, identifiers, content)
        SELECT resource_type, id, 1, statement_timestamp(), false, compartments, statuses, identifiers,
               content || jsonb_build_object('meta', jsonb_build_object('versionId', '1',
                 'lastUpdated', to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
          FROM input
        ON CONFLICT (resource_type, id) DO UPDATE SET
          version_id = r.version_id + 1, last_updated = excluded.last_updated, deleted = false,
          compartments = excluded.compartments, statuses = excluded.statuses, identifiers = excluded.identifiers,
          content = jsonb_set(excluded.content, '{meta,versionId}', to_jsonb((r.version_id + 1)::text))
        WHERE r.deleted OR (r.content - 'meta') IS DISTINCT FROM (excluded.content - 'meta')
        RETURNING r.resource_type, r.id, r.version_id, r.last_updated, r.content
      )
      INSERT INTO fhir_resource_history (resource_type, id, version_id, last_updated, deleted, content)
      SELECT resource_type, id, version_id, last_updated, false, content FROM stored`.execute(this.db);
  }
}

interface StoredRow {
  version_id: number;
  deleted: boolean;
  content: Record<string, unknown>;
}

interface NewVersion {
  stored: WithId<Resource>;
  versionId: number;
  lastUpdated: Date;
}

/** The next version of a resource, or nothing when its content is what is stored already. */
function nextVersion(resource: WithId<Resource>, current: StoredRow | undefined, lastUpdated: Date): NewVersion | undefined {
  const { meta: _meta, ...content } = resource;
  if (current && !current.deleted && sameContent(current.content, content)) return undefined;
  const versionId = (current?.version_id ?? 0) + 1;
  const stored = { ...content, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } } as WithId<Resource>;
  return { stored, versionId, lastUpdated };
}

async function storeVersions(db: Db, versions: NewVersion[]): Promise<void> {
  if (versions.length === 0) return;
  const rows = versions.map(({ stored, versionId, lastUpdated }) => ({
    resource_type: stored.resourceType,
    id: stored.id,
    version_id: versionId,
    last_updated: lastUpdated,
    deleted: false,
    content: JSON.stringify(stored),
    ...searchColumnsOf(stored),
  }));
  await db
    .insertInto('fhir_resource')
    .values(rows)
    .onConflict((c) =>
      c.columns(['resource_type', 'id']).doUpdateSet((eb) => ({
        version_id: eb.ref('excluded.version_id'),
        last_updated: eb.ref('excluded.last_updated'),
        deleted: eb.ref('excluded.deleted'),
        content: eb.ref('excluded.content'),
        compartments: eb.ref('excluded.compartments'),
        statuses: eb.ref('excluded.statuses'),
        identifiers: eb.ref('excluded.identifiers'),
      })),
    )
    .execute();
  await db
    .insertInto('fhir_resource_history')
    .values(rows.map(({ resource_type, id, version_id, last_updated, content }) => ({ resource_type, id, version_id, last_updated, deleted: false, content })))
    .execute();
}

/** A stored resource with `resourceType`, `id` and `meta` first again (jsonb keeps keys in its own order). */
export function asResource<T extends Resource>(content: Record<string, unknown>): WithId<T> {
  const { resourceType, id, meta, ...rest } = content;
  return { resourceType, id, meta, ...rest } as unknown as WithId<T>;
}

function lockCurrent(db: Db, resourceType: string, id: string) {
  return db
    .selectFrom('fhir_resource')
    .select(['version_id', 'deleted', 'content'])
    .where('resource_type', '=', resourceType)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

function sameContent(stored: Record<string, unknown>, content: Record<string, unknown>): boolean {
  const { meta: _meta, ...storedContent } = stored;
  return deepEquals(storedContent, JSON.parse(JSON.stringify(content)));
}

/** Counts what the store holds, for tests and benchmarks. */
export async function countStored(db: Db, resourceType: string): Promise<number> {
  const row = await sql<{ count: number }>`select count(*)::int as count from fhir_resource where resource_type = ${resourceType} and not deleted`.execute(db);
  return row.rows[0]!.count;
}
