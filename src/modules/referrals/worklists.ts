// The worklists each side works from, as data: which referrals (by status, current task, outcome and
// clock) each list holds. The referrer's lists cover what it sent or drafts; the receiver's what it
// was sent. Counts and items are read by the same definitions (worklist-repo.ts).
import type { Side } from './access.js';
import type { ReferralOutcome } from './outcomes.js';
import type { ReferralStatus } from './states.js';
import type { TaskStatus } from './task-states.js';

/** How long a completed referral stays in "recently completed" (and a returned one in "action needed"). */
export const RECENT_DAYS = 14;

/** One way into a list: every condition given must hold. */
export interface WorklistClause {
  statuses: readonly ReferralStatus[];
  /** The status of the referral's current task. */
  taskStatuses?: readonly TaskStatus[];
  outcome?: ReferralOutcome;
  /** Past its response time. */
  overdue?: boolean;
  /** Last changed within RECENT_DAYS. */
  recent?: boolean;
}

export interface Worklist {
  name: string;
  side: Side;
  title: string;
  /** A referral is in the list when any clause holds. */
  clauses: readonly WorklistClause[];
}

const OPEN_TASK: readonly TaskStatus[] = ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'INPROGRESS'];

export const WORKLISTS: readonly Worklist[] = [
  { name: 'drafts', side: 'referring', title: 'Drafts', clauses: [{ statuses: ['DRAFT'] }] },
  { name: 'awaiting-answer', side: 'referring', title: 'Awaiting an answer', clauses: [{ statuses: ['ACTIVE'], taskStatuses: ['REQUESTED', 'RECEIVED'] }] },
  {
    name: 'action-needed',
    side: 'referring',
    title: 'Action needed: rejected or returned with advice',
    clauses: [
      { statuses: ['ACTIVE'], taskStatuses: ['REJECTED'] },
      { statuses: ['COMPLETED'], outcome: 'RETURNED_WITH_ADVICE', recent: true },
    ],
  },
  { name: 'sent-on-hold', side: 'referring', title: 'On hold', clauses: [{ statuses: ['ON_HOLD'] }] },
  { name: 'sent-overdue', side: 'referring', title: 'Overdue', clauses: [{ statuses: ['ACTIVE', 'ON_HOLD'], overdue: true }] },
  { name: 'recently-completed', side: 'referring', title: 'Recently completed', clauses: [{ statuses: ['COMPLETED'], recent: true }] },
  { name: 'new', side: 'receiving', title: 'New: to triage', clauses: [{ statuses: ['ACTIVE'], taskStatuses: ['REQUESTED', 'RECEIVED'] }] },
  { name: 'accepted', side: 'receiving', title: 'Accepted', clauses: [{ statuses: ['ACTIVE'], taskStatuses: ['ACCEPTED'] }] },
  { name: 'in-progress', side: 'receiving', title: 'In progress', clauses: [{ statuses: ['ACTIVE'], taskStatuses: ['INPROGRESS'] }] },
  { name: 'received-on-hold', side: 'receiving', title: 'On hold', clauses: [{ statuses: ['ON_HOLD'], taskStatuses: OPEN_TASK }] },
  { name: 'received-overdue', side: 'receiving', title: 'Overdue', clauses: [{ statuses: ['ACTIVE', 'ON_HOLD'], taskStatuses: OPEN_TASK, overdue: true }] },
];

export const WORKLIST_NAMES = WORKLISTS.map((list) => list.name);
