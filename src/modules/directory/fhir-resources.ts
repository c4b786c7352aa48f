// The directory as FHIR R4: organisations as Organization, practitioners as Practitioner, their roles
// as PractitionerRole, and facility SMART apps as Endpoint — the resources directories are exchanged in.
import type { Endpoint, Identifier, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { DirectoryRole } from '../vocabulary/roles.js';
import type { DirectoryIdentifier } from './tables.js';
import { organizationRef, practitionerRef } from '../vocabulary/references.js';

/** The code system of the roles a practitioner holds at an organisation here. */
export const DIRECTORY_ROLE_SYSTEM = 'urn:referral-hub:practitioner-role';
/** The identifier system of facility apps' SMART client ids (as in the mirrored Consent's actor). */
const clientIdSystem = (baseUrl: string) => `${baseUrl}/smart-clients`;

const identifiersOf = (list: DirectoryIdentifier[]): Identifier[] | undefined =>
  list.length > 0 ? list.map(({ system, value }) => ({ ...(system && { system }), value })) : undefined;

export function toFhirOrganization(row: {
  id: string;
  name: string;
  active: boolean;
  parent_id: string | null;
  identifiers: DirectoryIdentifier[];
}): Organization {
  return {
    resourceType: 'Organization',
    id: row.id,
    active: row.active,
    name: row.name,
    ...(row.identifiers.length > 0 && { identifier: identifiersOf(row.identifiers) }),
    ...(row.parent_id && { partOf: { reference: organizationRef(row.parent_id) } }),
  };
}

export function toFhirPractitioner(row: { id: string; name: string; active: boolean; identifiers: DirectoryIdentifier[] }): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: row.id,
    active: row.active,
    name: [{ text: row.name }],
    ...(row.identifiers.length > 0 && { identifier: identifiersOf(row.identifiers) }),
  };
}

export function toFhirPractitionerRole(row: {
  id: string;
  practitioner_id: string;
  organization_id: string;
  role: DirectoryRole;
  active: boolean;
}): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: row.id,
    active: row.active,
    practitioner: { reference: practitionerRef(row.practitioner_id) },
    organization: { reference: organizationRef(row.organization_id) },
    code: [{ coding: [{ system: DIRECTORY_ROLE_SYSTEM, code: row.role }] }],
  };
}

/** A facility SMART app: the client patients consent to, reached at its registered redirect URI. */
export function toFhirEndpoint(
  row: { client_id: string; name: string; organization_id: string; redirect_uris: string[]; active: boolean },
  baseUrl: string,
): Endpoint {
  return {
    resourceType: 'Endpoint',
    id: row.client_id,
    identifier: [{ system: clientIdSystem(baseUrl), value: row.client_id }],
    status: row.active ? 'active' : 'off',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    name: row.name,
    managingOrganization: { reference: row.organization_id },
    payloadType: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'any' }] }],
    address: row.redirect_uris[0] ?? baseUrl,
  };
}
