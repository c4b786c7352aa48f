// Resources as the embedded store keeps them: content in jsonb, read back in FHIR's usual key order.
import type { Resource } from '@medplum/fhirtypes';

export type WithId<T extends Resource> = T & { id: string };

/** A stored resource with `resourceType`, `id` and `meta` first again (jsonb keeps keys in its own order). */
export function asResource<T extends Resource>(content: Record<string, unknown>): WithId<T> {
  const { resourceType, id, meta, ...rest } = content;
  return { resourceType, id, meta, ...rest } as unknown as WithId<T>;
}
