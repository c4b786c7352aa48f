// Who is calling: the verified claims of a bearer token, and the role checks routes rely on.
import { forbidden, unauthenticated } from '../../platform/errors.js';
import type { DirectoryRole, Membership } from '../vocabulary/roles.js';

const ROLES = ['clinician', 'patient', 'admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  sub: string;
  /** e.g. Practitioner/dr-smith or Patient/ePatient-8675309 */
  fhirUser?: string;
  roles: Role[];
  /** A clinician's roles at organisations, as the directory has them (never from a token claim). */
  memberships?: Membership[];
  /** For patients: their Patient reference, e.g. Patient/ePatient-8675309 */
  patient?: string;
}

/** Turns verified JWT claims into a Caller, refusing tokens whose claims are malformed. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const { sub, fhirUser, roles, patient } = claims;
  if (typeof sub !== 'string' || sub === '') throw unauthenticated('The token has no subject');
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw unauthenticated('The token has no roles claim');
  }
  return {
    sub,
    fhirUser: optionalString(fhirUser),
    roles: roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role)),
    patient: patientOf(optionalString(patient), optionalString(fhirUser)),
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** SMART puts a bare id in `patient`; a patient's own fhirUser names them too. */
function patientOf(patient?: string, fhirUser?: string): string | undefined {
  if (patient) return toPatientReference(patient);
  return fhirUser?.startsWith('Patient/') ? fhirUser : undefined;
}

/** `ePatient-1` and `Patient/ePatient-1` name the same patient. */
export function toPatientReference(id: string): string {
  return id.startsWith('Patient/') ? id : `Patient/${id}`;
}

/** The organisations where a clinician holds `role`, as `Organization/<id>`. */
export function organizationsWhere(caller: Caller, role: DirectoryRole): string[] {
  return (caller.memberships ?? []).filter((membership) => membership.role === role).map((membership) => membership.organization);
}

export function hasRole(caller: Caller, ...roles: Role[]): boolean {
  return roles.some((role) => caller.roles.includes(role));
}

/** Throws 403 unless the caller has one of `roles`. */
export function requireRole(caller: Caller, ...roles: Role[]): void {
  if (!hasRole(caller, ...roles)) {
    throw forbidden(`This action needs the role ${roles.join(' or ')}`);
  }
}
