// What the mirror delivers: each module that owns mirrored records says how to read one of them,
// by FHIR type and id, as the FHIR resource it is now. The outbox names only type and id.
import type { Resource } from '@medplum/fhirtypes';

/** The current FHIR form of the records with these ids, by id; ids without a record are left out. */
export type MirrorSource = (ids: string[]) => Promise<Map<string, Resource>>;

export type MirrorSources = Record<string, MirrorSource>;

/** The numbers in mirrored ids such as `referral-12`, skipping ids not of that form. */
export function numbersAfter(prefix: string, ids: string[]): number[] {
  return ids.map((id) => numberAfter(prefix, id)).filter((n): n is number => n !== undefined);
}

/** Resources by their id. */
export function byId(resources: Resource[]): Map<string, Resource> {
  return new Map(resources.map((resource) => [resource.id!, resource]));
}

/** The number in a mirrored id such as `referral-12`, or undefined when the id is not of that form. */
export function numberAfter(prefix: string, id: string): number | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const digits = id.slice(prefix.length);
  return /^[1-9][0-9]{0,15}$/.test(digits) ? Number(digits) : undefined;
}
