// The values the embedded store indexes for search, read straight from a resource's elements (a
// FHIRPath evaluation per resource cost ~2 ms of CPU, more than the rest of a delivery):
// - compartments: the references in `subject`, `patient`, `for` and `beneficiary`, an AuditEvent's
//   entities, and a Patient itself — what the `patient` and `subject` search parameters match;
// - statuses: `status`;
// - identifiers: `identifier`, as `system|value` and as `value`.
import type { Identifier, Reference, Resource } from '@medplum/fhirtypes';

export interface SearchColumns {
  compartments: string[];
  statuses: string[];
  identifiers: string[];
}

const SUBJECT_ELEMENTS = ['subject', 'patient', 'for', 'beneficiary'] as const;

export function searchColumnsOf(resource: Resource & { id: string }): SearchColumns {
  const element = (name: string) => (resource as unknown as Record<string, unknown>)[name];
  const references = [...SUBJECT_ELEMENTS.flatMap((name) => asArray(element(name) as Reference | Reference[])), ...auditedEntities(resource)];
  const compartments = references.map((reference) => reference?.reference).filter((value): value is string => typeof value === 'string');
  if (resource.resourceType === 'Patient') compartments.push(`Patient/${resource.id}`);
  const status = element('status');
  const identifiers = asArray(element('identifier') as Identifier | Identifier[]).flatMap(identifierTokens);
  return { compartments: unique(compartments), statuses: typeof status === 'string' ? [status] : [], identifiers: unique(identifiers) };
}

/** `system|value` for a search naming the system, `value` alone for one that does not. */
function identifierTokens(identifier: Identifier): string[] {
  if (!identifier?.value) return [];
  return identifier.system ? [`${identifier.system}|${identifier.value}`, identifier.value] : [identifier.value];
}

function auditedEntities(resource: Resource): Reference[] {
  return resource.resourceType === 'AuditEvent' ? (resource.entity ?? []).flatMap((entity) => (entity.what ? [entity.what] : [])) : [];
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const unique = (values: string[]) => [...new Set(values)];
