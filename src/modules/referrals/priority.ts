// How soon a response to a referral is due, by its priority.
import type { Priority } from '../vocabulary/priority.js';

const HOUR_MS = 3_600_000;

/** When a response is due for a referral sent at `sentAt`, by the instance's table of hours (config). */
export function responseDueAt(priority: Priority, sentAt: Date, table: Record<Priority, number>): Date {
  return new Date(sentAt.getTime() + table[priority] * HOUR_MS);
}
