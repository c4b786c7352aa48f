// A consent grant as an R4 Consent for the FHIR mirror: a patient-privacy consent that permits the
// receiving facility's SMART client to read one resource type, in its period, while it is active.
import { fhirIdOf } from '../vocabulary/fhir-ids.js';
import type { Consent } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { ConsentGrantRow } from './tables.js';
import { numberedSource, type MirrorSources } from '../vocabulary/record-sources.js';

const consentId = (grantId: number) => fhirIdOf('consent', grantId);

export function toFhirConsent(row: ConsentGrantRow, baseUrl: string): Consent {
  const patient = { reference: row.patient_id.includes('/') ? row.patient_id : `Patient/${row.patient_id}` };
  const period = { ...(row.period_start && { start: row.period_start.toISOString() }), ...(row.period_end && { end: row.period_end.toISOString() }) };
  return {
    resourceType: 'Consent',
    id: consentId(row.id),
    status: row.status === 'active' ? 'active' : 'inactive',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient,
    dateTime: row.created_at.toISOString(),
    performer: [patient],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      ...(Object.keys(period).length > 0 && { period }),
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
          reference: { identifier: { system: `${baseUrl}/smart-clients`, value: row.client_id }, display: row.client_id },
        },
      ],
      action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access' }] }],
      class: [{ system: 'http://hl7.org/fhir/resource-types', code: row.resource_type }],
    },
  };
}

export function consentMirrorSources(db: Kysely<Database>, baseUrl: string): MirrorSources {
  return {
    Consent: numberedSource(
      'consent',
      (grantIds) => db.selectFrom('consent_grant').selectAll().where('id', 'in', grantIds).execute(),
      (row) => toFhirConsent(row, baseUrl),
    ),
  };
}
