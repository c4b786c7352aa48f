// Referral priorities: their FHIR codes, their order in an inbox, and how soon a response is due.

export const PRIORITIES = ['ROUTINE', 'URGENT', 'ASAP', 'STAT'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** ServiceRequest.priority (FHIR R4 value set request-priority). */
export const FHIR_PRIORITY: Record<Priority, 'routine' | 'urgent' | 'asap' | 'stat'> = {
  ROUTINE: 'routine',
  URGENT: 'urgent',
  ASAP: 'asap',
  STAT: 'stat',
};

/** Defaults from the workflow guide: 18 weeks, 14 days, 72 hours, 1 hour. */
export const DEFAULT_RESPONSE_DUE_HOURS: Record<Priority, number> = {
  ROUTINE: 18 * 7 * 24,
  URGENT: 14 * 24,
  ASAP: 72,
  STAT: 1,
};

const HOUR_MS = 3_600_000;

/** When a response is due for a referral sent at `sentAt`. */
export function responseDueAt(priority: Priority, sentAt: Date, table: Record<Priority, number>): Date {
  return new Date(sentAt.getTime() + table[priority] * HOUR_MS);
}
