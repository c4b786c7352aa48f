// What the mirror delivers: each module that owns mirrored records says how to read one of them,
// by FHIR type and id, as the FHIR resource it is now. The outbox names only type and id.
import type { Resource } from '@medplum/fhirtypes';

/** The current FHIR form of the records with these ids, by id; ids without a record are left out. */
export type MirrorSource = (ids: string[]) => Promise<Map<string, Resource>>;

export type MirrorSources = Record<string, MirrorSource>;

/**
 * The source of records whose FHIR ids are `prefix` and their number (`referral-12`): loads the
 * rows for the numbers asked (ids of another form are left out) and maps each to its resource.
 */
export function numberedSource<Row>(prefix: string, load: (numbers: number[]) => Promise<Row[]>, toResource: (row: Row) => Resource): MirrorSource {
  return async (ids) => {
    const numbers = ids.map((id) => numberAfter(prefix, id)).filter((n): n is number => n !== undefined);
    const rows = numbers.length === 0 ? [] : await load(numbers);
    return new Map(rows.map(toResource).map((resource) => [resource.id!, resource]));
  };
}

/** The number in a mirrored id such as `referral-12`, or undefined when the id is not of that form. */
export function numberAfter(prefix: string, id: string): number | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const digits = id.slice(prefix.length);
  return /^[1-9][0-9]{0,15}$/.test(digits) ? Number(digits) : undefined;
}
