// What a patient reads for a FHIR resource type: the kind of record it is, in everyday words, with the
// technical name kept beside it for whoever needs it (a clinician on the phone, a curious patient).
// Types not listed read as their name split into words ("MedicationDispense" → "Medication dispense").

const PLAIN: Record<string, string> = {
  AllergyIntolerance: 'Allergies and reactions',
  Appointment: 'Appointments',
  CarePlan: 'Care plans',
  CareTeam: 'Your care team',
  Condition: 'Diagnoses and health problems',
  Coverage: 'Insurance and funding',
  DiagnosticReport: 'Reports',
  DocumentReference: 'Letters and documents',
  Encounter: 'Visits and hospital stays',
  FamilyMemberHistory: 'Family health history',
  Goal: 'Health goals',
  ImagingStudy: 'Scans and X-rays',
  Immunization: 'Vaccinations',
  MedicationAdministration: 'Medicines given to you',
  MedicationDispense: 'Medicines handed out to you',
  MedicationRequest: 'Prescriptions',
  MedicationStatement: 'Medicines you take',
  Observation: 'Test results and measurements',
  Patient: 'Your personal details',
  Procedure: 'Operations and procedures',
  QuestionnaireResponse: 'Questionnaires you filled in',
  ServiceRequest: 'Referrals and requests for care',
  Specimen: 'Samples taken for testing',
};

/** The resource type as a patient would name that kind of record. */
export function plainResourceType(resourceType: string): string {
  const known = PLAIN[resourceType];
  if (known) return known;
  const words = resourceType.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How a grant was given, as the patient would say it. */
export function plainGrantSource(source: string): string {
  if (source === 'portal') return 'in this portal';
  if (source === 'smart') return 'when the app asked you';
  return 'recorded for you by the service';
}
