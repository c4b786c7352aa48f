// The embedded FHIR server: @medplum/fhir-router's REST semantics over the PostgreSQL-backed store.
import '../../platform/node-globals.js';
import { getStatus, normalizeOperationOutcome } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { FhirRouter } from '@medplum/fhir-router';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { FhirAnswer, FhirBackend, FhirInteraction } from './backend.js';
import { capabilityStatement } from './capability.js';
import { loadFhirDefinitions } from './definitions.js';
import { PgFhirRepository } from './store.js';

export function embeddedFhirBackend(db: Kysely<Database>, fhirBaseUrl: string): FhirBackend {
  loadFhirDefinitions();
  const router = new FhirRouter();
  const repo = new PgFhirRepository(db, fhirBaseUrl);

  async function handle(interaction: FhirInteraction): Promise<FhirAnswer> {
    if (interaction.method === 'GET' && interaction.path === 'metadata') return { status: 200, resource: capabilityStatement(fhirBaseUrl) };
    const url = interaction.query ? `${interaction.path}?${interaction.query}` : interaction.path;
    try {
      const [outcome, resource] = await router.handleRequest(
        {
          method: interaction.method,
          url,
          pathname: '',
          params: {},
          query: {},
          body: interaction.body,
          headers: interaction.headers ?? {},
          config: { transactions: true },
        },
        repo,
      );
      const status = getStatus(outcome);
      const versioned = resource?.meta?.versionId
        ? { etag: `W/"${resource.meta.versionId}"`, 'last-modified': new Date(resource.meta.lastUpdated!).toUTCString() }
        : undefined;
      return { status, resource: resource ?? outcome, ...(versioned && { headers: versioned }) };
    } catch (error) {
      const outcome = normalizeOperationOutcome(error);
      return { status: getStatus(outcome), resource: outcome };
    }
  }

  return {
    kind: 'embedded',
    handle,
    async putAll(resources: (Resource & { id: string })[]) {
      try {
        await repo.storeAll(resources);
        return [];
      } catch (error) {
        return resources.map((resource) => ({ resource, error: (error as Error).message }));
      }
    },
  };
}
