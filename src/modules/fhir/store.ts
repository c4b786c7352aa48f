// The embedded FHIR store: a @medplum/fhir-router repository on our PostgreSQL (or PGlite). Each
// resource's current version lives in fhir_resource with the columns search needs; every version
// lives in fhir_resource_history for vread and _history.
import '../../platform/node-globals.js';
import { randomUUID } from 'node:crypto';
import { badRequest, gone, notFound, OperationOutcomeError, preconditionFailed, serverError, type SearchRequest } from '@medplum/core';
import type { Bundle, Reference, Resource } from '@medplum/fhirtypes';
import { FhirRepository, type RepositoryMode } from '@medplum/fhir-router';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { asResource, type WithId } from './resource-content.js';
import { searchColumnsOf } from './search-columns.js';
import { searchStore } from './search.js';

type Db = Kysely<Database>;

/** The methods through which the router reaches the database. */
const GUARDED_METHODS = ['createResource', 'updateResource', 'deleteResource', 'readResource', 'readHistory', 'readVersion', 'search'] as const;

/** Our own outcomes pass as they are; any other failure (the database's text) becomes a plain server error. */
function asStoreFailure(error: unknown): never {
  if (error instanceof OperationOutcomeError) throw error;
  throw new OperationOutcomeError(serverError(new Error('The FHIR store could not answer this request')));
}

export class PgFhirRepository extends FhirRepository {
  constructor(
    private readonly db: Db,
    /** The public base of /fhir, for paging links. */
    private readonly fhirBaseUrl: string,
    private readonly inTransaction = false,
  ) {
    super();
    for (const name of GUARDED_METHODS) {
      const method = this[name].bind(this) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(this, { [name]: (...args: unknown[]) => method(...args).catch(asStoreFailure) });
    }
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
      await db
        .updateTable('fhir_resource')
        .set({ deleted: true, version_id: versionId, last_updated: lastUpdated })
        .where('resource_type', '=', resourceType)
        .where('id', '=', id)
        .execute();
      await db
        .insertInto('fhir_resource_history')
        .values({
          resource_type: resourceType,
          id,
          version_id: versionId,
          last_updated: lastUpdated,
          deleted: true,
          content: JSON.stringify({ resourceType, id }),
        })
        .execute();
    });
  }

  async readResource<T extends Resource>(resourceType: string, id: string): Promise<WithId<T>> {
    const row = await this.db
      .selectFrom('fhir_resource')
      .select(['content', 'deleted'])
      .where('resource_type', '=', resourceType)
      .where('id', '=', id)
      .executeTakeFirst();
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

  /** A create or update through the REST API: the rules of the interaction, then the shared versioning. */
  private write<T extends Resource>(resource: WithId<T>, rules: { mustBeNew?: boolean; ifMatch?: string }): Promise<WithId<T>> {
    return this.transaction(async (db) => {
      const current = await lockCurrent(db, resource.resourceType, resource.id);
      if (current && rules.mustBeNew) throw new OperationOutcomeError(badRequest('Assigned ID is already in use'));
      if (rules.ifMatch && rules.ifMatch !== String(current?.version_id)) throw new OperationOutcomeError(preconditionFailed);
      await storeVersions(db, [resource]);
      const stored = await db
        .selectFrom('fhir_resource')
        .select('content')
        .where('resource_type', '=', resource.resourceType)
        .where('id', '=', resource.id)
        .executeTakeFirstOrThrow();
      return asResource<T>(stored.content);
    });
  }

  /** The mirror's delivery: PUTs of many resources in one statement. */
  async storeAll(resources: WithId<Resource>[]): Promise<void> {
    await storeVersions(this.db, resources);
  }
}

/**
 * Stores each resource as a new version in one statement — unless its content (meta aside) is what
 * is stored already: then the stored version stands, so delivering one state twice (a retried PUT)
 * changes nothing. Every new version joins the history. The server sets `meta.versionId` and
 * `meta.lastUpdated`; the rest of the given `meta` (profiles, tags) is kept.
 */
async function storeVersions(db: Db, resources: WithId<Resource>[]): Promise<void> {
  if (resources.length === 0) return;
  const latest = new Map(resources.map((resource) => [`${resource.resourceType}/${resource.id}`, resource]));
  const input = [...latest.values()].map((resource) => {
    const { meta, ...content } = resource;
    const { versionId: _versionId, lastUpdated: _lastUpdated, ...keptMeta } = meta ?? {};
    const stored = Object.keys(keptMeta).length > 0 ? { ...content, meta: keptMeta } : content;
    return { resource_type: resource.resourceType, id: resource.id, content: stored, ...searchColumnsOf(resource) };
  });
  await sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
        AS i(resource_type text, id text, content jsonb, compartments text[], statuses text[], identifiers text[])
    ), stored AS (
      INSERT INTO fhir_resource AS r (resource_type, id, version_id, last_updated, deleted, compartments, statuses, identifiers, content)
      SELECT resource_type, id, 1, statement_timestamp(), false, compartments, statuses, identifiers,
             content || jsonb_build_object('meta', coalesce(content->'meta', '{}'::jsonb) || jsonb_build_object('versionId', '1',
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
    SELECT resource_type, id, version_id, last_updated, false, content FROM stored`.execute(db);
}

function lockCurrent(db: Db, resourceType: string, id: string) {
  return db
    .selectFrom('fhir_resource')
    .select(['version_id', 'deleted'])
    .where('resource_type', '=', resourceType)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}
