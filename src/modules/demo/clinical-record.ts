// The demo patient's clinical record on the FHIR server, loaded once as a transaction bundle: the
// patient (their GP and practice are in the directory), stable angina (I20.9) and hypertension, a
// raised high-sensitivity troponin with its repeat, ECG findings, and the GP's cardiac work-up report.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { FhirBackend } from '../fhir/backend.js';
import { ICD_10, SNOMED_CT } from '../referrals/fhir-resources.js';

const PATIENT_ID = 'ePatient-8675309';
const patient = { reference: `Patient/${PATIENT_ID}` };
const LOINC = 'http://loinc.org';
const laboratory = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];
const procedure = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'procedure' }] }];
const active = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
const confirmed = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] };

const put = (resource: Resource & { id: string }): BundleEntry => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });

export function demoClinicalRecord(): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({
        resourceType: 'Patient',
        id: PATIENT_ID,
        name: [{ use: 'official', given: ['Jordan'], family: 'Example' }],
        gender: 'male',
        birthDate: '1962-03-14',
        generalPractitioner: [{ reference: 'Practitioner/dr-smith' }],
        managingOrganization: { reference: 'Organization/anytown-gp-practice' },
      }),
      put({
        resourceType: 'Condition',
        id: 'demo-angina',
        clinicalStatus: active,
        verificationStatus: confirmed,
        subject: patient,
        onsetDateTime: '2025-06-20',
        recordedDate: '2025-07-01',
        code: {
          coding: [
            { system: ICD_10, code: 'I20.9', display: 'Angina pectoris, unspecified' },
            { system: SNOMED_CT, code: '194828000', display: 'Angina' },
          ],
          text: 'Angina pectoris',
        },
      }),
      put({
        resourceType: 'Condition',
        id: 'demo-hypertension',
        clinicalStatus: active,
        verificationStatus: confirmed,
        subject: patient,
        onsetDateTime: '2019-02-11',
        code: { coding: [{ system: ICD_10, code: 'I10', display: 'Essential (primary) hypertension' }], text: 'Hypertension' },
      }),
      put({
        resourceType: 'Observation',
        id: 'demo-troponin-1',
        status: 'final',
        category: laboratory,
        subject: patient,
        effectiveDateTime: '2025-07-01T09:30:00Z',
        code: {
          coding: [{ system: LOINC, code: '89579-7', display: 'Troponin I.cardiac [Mass/volume] in Serum or Plasma by High sensitivity method' }],
          text: 'hs-Troponin I',
        },
        valueQuantity: { value: 52, unit: 'ng/L', system: 'http://unitsofmeasure.org', code: 'ng/L' },
        referenceRange: [{ high: { value: 34, unit: 'ng/L', system: 'http://unitsofmeasure.org', code: 'ng/L' } }],
        interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H', display: 'High' }] }],
      }),
      put({
        resourceType: 'Observation',
        id: 'demo-troponin-2',
        status: 'final',
        category: laboratory,
        subject: patient,
        effectiveDateTime: '2025-07-01T12:30:00Z',
        code: {
          coding: [{ system: LOINC, code: '89579-7', display: 'Troponin I.cardiac [Mass/volume] in Serum or Plasma by High sensitivity method' }],
          text: 'hs-Troponin I (3 h repeat)',
        },
        valueQuantity: { value: 61, unit: 'ng/L', system: 'http://unitsofmeasure.org', code: 'ng/L' },
        interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H', display: 'High' }] }],
      }),
      put({
        resourceType: 'Observation',
        id: 'demo-ecg',
        status: 'final',
        category: procedure,
        subject: patient,
        effectiveDateTime: '2025-07-01T09:10:00Z',
        code: { coding: [{ system: LOINC, code: '11524-6', display: 'EKG study' }], text: '12-lead ECG' },
        valueString: 'Sinus rhythm 78 bpm. 1 mm horizontal ST depression in V4–V6. No Q waves.',
        component: [
          {
            code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }] },
            valueQuantity: { value: 78, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
          },
        ],
      }),
      put({
        resourceType: 'Observation',
        id: 'demo-blood-pressure',
        status: 'final',
        subject: patient,
        effectiveDateTime: '2025-07-01T09:00:00Z',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
        component: [
          {
            code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] },
            valueQuantity: { value: 148, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
          },
          {
            code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] },
            valueQuantity: { value: 92, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
          },
        ],
      }),
      put({
        resourceType: 'DiagnosticReport',
        id: 'demo-cardiac-workup',
        status: 'final',
        subject: patient,
        effectiveDateTime: '2025-07-01T12:30:00Z',
        issued: '2025-07-01T15:00:00Z',
        code: { coding: [{ system: LOINC, code: '11502-2', display: 'Laboratory report' }], text: 'Cardiac work-up' },
        performer: [{ reference: 'Organization/anytown-gp-practice' }],
        result: [{ reference: 'Observation/demo-troponin-1' }, { reference: 'Observation/demo-troponin-2' }, { reference: 'Observation/demo-ecg' }],
        conclusion: 'Raised and rising hs-troponin with ischaemic ST changes; refer to cardiology.',
      }),
    ],
  };
}

/** Loads the record once per database (marked in seed_run only after the FHIR server accepted it). */
export async function seedDemoClinicalRecord(db: Kysely<Database>, backend: FhirBackend): Promise<boolean> {
  const done = await db.selectFrom('seed_run').select('name').where('name', '=', 'demo-clinical-record').executeTakeFirst();
  if (done) return false;
  const answer = await backend.handle({ method: 'POST', path: '', query: '', body: demoClinicalRecord() });
  if (answer.status >= 300) throw new Error(`the FHIR server refused the demo clinical record (${answer.status})`);
  await db
    .insertInto('seed_run')
    .values({ name: 'demo-clinical-record', applied_at: new Date() })
    .onConflict((c) => c.doNothing())
    .execute();
  return true;
}
