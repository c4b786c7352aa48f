// Request priorities: the service's codes and FHIR R4's (value set request-priority).

export const PRIORITIES = ['ROUTINE', 'URGENT', 'ASAP', 'STAT'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** ServiceRequest.priority (FHIR R4 value set request-priority). */
export const FHIR_PRIORITY: Record<Priority, 'routine' | 'urgent' | 'asap' | 'stat'> = {
  ROUTINE: 'routine',
  URGENT: 'urgent',
  ASAP: 'asap',
  STAT: 'stat',
};
