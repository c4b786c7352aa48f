// How the service's own records are named on /fhir: `referral-12` is ServiceRequest for referral 12,
// `referral-task-40` the Task for task 40, and so on. The SQL function `fhir_id(kind, id)`
// (migrations/013) spells the same scheme for the triggers that queue records for the FHIR mirror;
// a test holds the two to the same answers.

export const FHIR_ID_PREFIXES = {
  referral: 'referral-',
  task: 'referral-task-',
  consent: 'consent-',
  audit: 'audit-',
  attachment: 'attachment-',
  advice: 'advice-request-',
  message: 'advice-message-',
} as const;

export type RecordKind = keyof typeof FHIR_ID_PREFIXES;

/** The FHIR id of record `id` of this kind. */
export function fhirIdOf(kind: RecordKind, id: number | string): string {
  return `${FHIR_ID_PREFIXES[kind]}${id}`;
}

/** The record id a FHIR id of this kind names; undefined when it is not one (`referral-task-4` is no referral). */
export function recordIdOf(kind: RecordKind, fhirId: string): number | undefined {
  const prefix = FHIR_ID_PREFIXES[kind];
  if (!fhirId.startsWith(prefix)) return undefined;
  const rest = fhirId.slice(prefix.length);
  return /^[1-9]\d{0,15}$/.test(rest) ? Number(rest) : undefined;
}
