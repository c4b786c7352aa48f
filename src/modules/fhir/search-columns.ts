// The values the embedded store indexes for search, taken from a resource with the expressions of
// the R4 search parameters: the patients it concerns (`patient`, `subject`), its status codes and
// its identifiers.
import '../../platform/node-globals.js';
import { evalFhirPath, getSearchParameter } from '@medplum/core';
import type { Identifier, Reference, Resource } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from './definitions.js';

export interface SearchColumns {
  compartments: string[];
  statuses: string[];
  identifiers: string[];
}

export function searchColumnsOf(resource: Resource & { id: string }): SearchColumns {
  loadFhirDefinitions();
  const references = [...valuesOf(resource, 'patient'), ...valuesOf(resource, 'subject')] as Reference[];
  const compartments = references.map((reference) => reference?.reference).filter((value): value is string => typeof value === 'string');
  if (resource.resourceType === 'Patient') compartments.push(`Patient/${resource.id}`);
  const statuses = valuesOf(resource, 'status').filter((value): value is string => typeof value === 'string');
  const identifiers = (valuesOf(resource, 'identifier') as Identifier[]).flatMap(identifierTokens);
  return { compartments: unique(compartments), statuses: unique(statuses), identifiers: unique(identifiers) };
}

/** `system|value` for a search naming the system, `value` alone for one that does not. */
export function identifierTokens(identifier: Identifier): string[] {
  if (!identifier?.value) return [];
  return identifier.system ? [`${identifier.system}|${identifier.value}`, identifier.value] : [identifier.value];
}

function valuesOf(resource: Resource, code: string): unknown[] {
  const parameter = getSearchParameter(resource.resourceType, code);
  return parameter?.expression ? evalFhirPath(parameter.expression, resource) : [];
}

const unique = (values: string[]) => [...new Set(values)];
