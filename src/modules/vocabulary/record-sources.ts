// What the mirror delivers (mirror/), declared here so that the modules providing it need not import
// the mirror: each module that owns mirrored records says how to read one of them,
// by FHIR type and id, as the FHIR resource it is now. The outbox names only type and id.
import type { Resource } from '@medplum/fhirtypes';
import { recordIdOf, type RecordKind } from './fhir-ids.js';

/** The current FHIR form of the records with these ids, by id; ids without a record are left out. */
export type MirrorSource = (ids: string[]) => Promise<Map<string, Resource>>;

export type MirrorSources = Record<string, MirrorSource>;

/**
 * The source of records of a kind named by number (`referral-12`, see vocabulary/fhir-ids.ts): loads
 * the rows for the numbers asked (ids of another form are left out) and maps each to its resource.
 */
export function numberedSource<Row>(kind: RecordKind, load: (numbers: number[]) => Promise<Row[]>, toResource: (row: Row) => Resource): MirrorSource {
  return async (ids) => {
    const numbers = ids.map((id) => recordIdOf(kind, id)).filter((n): n is number => n !== undefined);
    const rows = numbers.length === 0 ? [] : await load(numbers);
    return new Map(rows.map(toResource).map((resource) => [resource.id!, resource]));
  };
}
