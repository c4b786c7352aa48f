// The worklists each side works from, as data: which referrals (by status, current task, outcome and
// clock) each list holds. The referrer's lists cover what it sent or drafts; the receiver's what it
// was sent. Counts and items are read by the same definitions (worklist-repo.ts).
import type { Side } from './access.js';
import type { ReferralOutcome } from './outcomes.js';
import type { ReferralStatus } from './states.js';
import type { TaskStatus } from './task-states.js';
import type { AdviceStatus } from './advice-states.js';

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

interface ListOf {
  name: string;
  side: Side;
  title: string;
}

/** A list of referrals: a referral is in it when any clause holds. */
export interface ReferralWorklist extends ListOf {
  kind: 'referrals';
  clauses: readonly WorklistClause[];
}

/** A list of advice requests in these statuses, longest waiting first. */
export interface AdviceWorklist extends ListOf {
  kind: 'advice-requests';
  statuses: readonly AdviceStatus[];
}

export type Worklist = ReferralWorklist | AdviceWorklist;

const referrals = (name: string, side: Side, title: string, clauses: WorklistClause[]): ReferralWorklist => ({ kind: 'referrals', name, side, title, clauses });

const OPEN_TASK: readonly TaskStatus[] = ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'INPROGRESS'];

export const WORKLISTS: readonly Worklist[] = [
  referrals('drafts', 'referring', 'Drafts', [{ statuses: ['DRAFT'] }]),
  referrals('awaiting-answer', 'referring', 'Awaiting an answer', [{ statuses: ['ACTIVE'], taskStatuses: ['REQUESTED', 'RECEIVED'] }]),
  referrals('action-needed', 'referring', 'Action needed: rejected or returned with advice', [
    { statuses: ['ACTIVE'], taskStatuses: ['REJECTED'] },
    { statuses: ['COMPLETED'], outcome: 'RETURNED_WITH_ADVICE', recent: true },
  ]),
  referrals('sent-on-hold', 'referring', 'On hold', [{ statuses: ['ON_HOLD'] }]),
  referrals('sent-overdue', 'referring', 'Overdue', [{ statuses: ['ACTIVE', 'ON_HOLD'], overdue: true }]),
  referrals('recently-completed', 'referring', 'Recently completed', [{ statuses: ['COMPLETED'], recent: true }]),
  { kind: 'advice-requests', name: 'advice-answered', side: 'referring', title: 'Advice answered, awaiting you', statuses: ['AWAITING_REQUESTER'] },
  referrals('new', 'receiving', 'New: to triage', [{ statuses: ['ACTIVE'], taskStatuses: ['REQUESTED', 'RECEIVED'] }]),
  referrals('accepted', 'receiving', 'Accepted', [{ statuses: ['ACTIVE'], taskStatuses: ['ACCEPTED'] }]),
  referrals('in-progress', 'receiving', 'In progress', [{ statuses: ['ACTIVE'], taskStatuses: ['INPROGRESS'] }]),
  referrals('received-on-hold', 'receiving', 'On hold', [{ statuses: ['ON_HOLD'], taskStatuses: OPEN_TASK }]),
  referrals('received-overdue', 'receiving', 'Overdue', [{ statuses: ['ACTIVE', 'ON_HOLD'], taskStatuses: OPEN_TASK, overdue: true }]),
  {
    kind: 'advice-requests',
    name: 'advice-awaiting-answer',
    side: 'receiving',
    title: 'Advice requests awaiting an answer',
    statuses: ['AWAITING_SPECIALIST'],
  },
];

export const WORKLIST_NAMES = WORKLISTS.map((list) => list.name);
