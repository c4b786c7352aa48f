// The demo identities of the workflow guide: two GP-side and hospital-side clinicians, a clinician
// of an unrelated hospital, the demo patient, and an administrator.
import type { Caller } from '../identity/caller.js';

export const DEMO_PATIENT = 'Patient/ePatient-8675309';

export const DEMO_IDENTITIES: Record<string, Caller> = {
  'dr-smith': {
    sub: 'dr-smith',
    fhirUser: 'Practitioner/dr-smith',
    roles: ['clinician'],
  },
  'dr-patel': {
    sub: 'dr-patel',
    fhirUser: 'Practitioner/dr-patel',
    roles: ['clinician'],
  },
  'dr-other': {
    sub: 'dr-other',
    fhirUser: 'Practitioner/dr-other',
    roles: ['clinician'],
  },
  patient: {
    sub: 'patient',
    fhirUser: DEMO_PATIENT,
    roles: ['patient'],
    patient: DEMO_PATIENT,
  },
  admin: { sub: 'admin', roles: ['admin'] },
};

/** The JWT claims of a demo identity; `patient` carries the bare id, as SMART does. */
export function demoClaims(name: string): Record<string, unknown> & { sub: string } {
  const identity = DEMO_IDENTITIES[name];
  if (!identity) {
    throw new Error(`Unknown demo identity "${name}"; choose one of ${Object.keys(DEMO_IDENTITIES).join(', ')}`);
  }
  const { patient, ...rest } = identity;
  return patient ? { ...rest, patient: patient.replace('Patient/', '') } : { ...rest };
}

export const DEMO_TOKEN_TTL_SECONDS = 12 * 3600;
