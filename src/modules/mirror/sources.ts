// What the mirror delivers: each module that owns mirrored records says how to read one of them,
// by FHIR type and id, as the FHIR resource it is now. The outbox names only type and id.
import type { Resource } from '@medplum/fhirtypes';

/** The current FHIR form of one record, or undefined when no such record exists. */
export type MirrorSource = (id: string) => Promise<Resource | undefined>;

export type MirrorSources = Record<string, MirrorSource>;

/** The number in a mirrored id such as `referral-12`, or undefined when the id is not of that form. */
export function numberAfter(prefix: string, id: string): number | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const digits = id.slice(prefix.length);
  return /^[1-9][0-9]{0,15}$/.test(digits) ? Number(digits) : undefined;
}
