// TypeBox shapes of the FHIR vocabulary that several modules' requests use.
import Type from 'typebox';

export const PatientId = Type.String({
  pattern: '^(Patient/)?[A-Za-z0-9\\-.]{1,64}$',
  description: 'A Patient reference (Patient/ePatient-8675309) or its bare id',
});
/** A facility app's OAuth client id. */
export const ClientId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:/\\-]+$' });
export const ResourceType = Type.String({ pattern: '^[A-Z][A-Za-z]{1,63}$', description: 'A FHIR R4 resource type' });
