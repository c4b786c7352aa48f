// What a caller may do to a referral now. Each action names the sides that may take it and checks the
// state it needs with the state tables; the use cases enforce an action through the same rule that
// lists it in the referral's `actions`, so a listed action is one that will be accepted.
import { actionNotAvailable, referralNotEditable, referralOnHold } from '../../platform/errors.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, sidesOf, type Side } from './access.js';
import { referralTransition, type ReferralEvent, type ReferralStatus } from './states.js';
import type { ReferralRow, TaskRow } from './tables.js';
import { ADVISABLE_TASK_STATUSES, taskTransition, UNACCEPTED_TASK_STATUSES, type TaskStatus } from './task-states.js';

export const REFERRAL_ACTIONS = [
  'edit',
  'send',
  'hold',
  'resume',
  'revoke',
  'redirect',
  'forward',
  'receive',
  'accept',
  'reject',
  'start',
  'complete',
  'return-with-advice',
  'add-note',
  'attach',
] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

/** What an action is judged on: the referral and the task it acts on (for listing, its current task). */
export interface ActionTarget {
  referral: ReferralRow;
  task?: Pick<TaskRow, 'id' | 'status'>;
}

interface ActionRule {
  sides: Side[];
  /** What the action does, as refusals say it: "Only the receiving side may {verb} this referral". */
  verb: string;
  /** Whether the action needs a task to act on. */
  onTask?: boolean;
  /** Throws (409) when the referral's state rules the action out. */
  check(target: ActionTarget): void;
}

const statusOf = (target: ActionTarget) => target.referral.status as ReferralStatus;
const taskStatusOf = (target: ActionTarget) => target.task!.status as TaskStatus;
const referralMove = (event: ReferralEvent) => (target: ActionTarget) => void referralTransition(statusOf(target), event);

function notOnHold(target: ActionTarget): void {
  if (statusOf(target) === 'ON_HOLD') throw referralOnHold();
}

/** A move of the task the receiving side makes through PATCH …/tasks/{taskId}. */
function taskMove(to: TaskStatus): ActionRule {
  return {
    sides: ['receiving'],
    verb: 'update the task of',
    onTask: true,
    check(target) {
      notOnHold(target);
      taskTransition(taskStatusOf(target), to);
      if (to === 'COMPLETED') referralTransition(statusOf(target), 'complete');
    },
  };
}

/** The referral moves to another organisation only while its task is in one of `statuses`. */
function movableWhile(action: string, statuses: readonly TaskStatus[]) {
  return (target: ActionTarget) => {
    referralTransition(statusOf(target), action as ReferralEvent);
    const task = target.task;
    if (task && !statuses.includes(task.status as TaskStatus)) {
      throw actionNotAvailable(action, `its task ${task.id} is ${task.status}; it can be ${action}ed while its task is ${statuses.join(', ')}`);
    }
  };
}

const RULES: Record<ReferralAction, ActionRule> = {
  edit: {
    sides: ['referring'],
    verb: 'edit',
    check: (target) => {
      if (statusOf(target) !== 'DRAFT') throw referralNotEditable(statusOf(target));
    },
  },
  send: { sides: ['referring'], verb: 'send', check: referralMove('send') },
  hold: { sides: ['referring', 'receiving'], verb: 'hold', check: referralMove('hold') },
  resume: { sides: ['referring', 'receiving'], verb: 'resume', check: referralMove('resume') },
  revoke: { sides: ['referring'], verb: 'revoke', check: referralMove('revoke') },
  redirect: { sides: ['referring'], verb: 'redirect', check: movableWhile('redirect', [...UNACCEPTED_TASK_STATUSES, 'REJECTED']) },
  forward: { sides: ['receiving'], verb: 'forward', onTask: true, check: movableWhile('forward', UNACCEPTED_TASK_STATUSES) },
  receive: taskMove('RECEIVED'),
  accept: taskMove('ACCEPTED'),
  reject: taskMove('REJECTED'),
  start: taskMove('INPROGRESS'),
  complete: taskMove('COMPLETED'),
  'return-with-advice': {
    sides: ['receiving'],
    verb: 'return with advice',
    onTask: true,
    check(target) {
      notOnHold(target);
      referralTransition(statusOf(target), 'complete');
      const status = taskStatusOf(target);
      if (!ADVISABLE_TASK_STATUSES.includes(status)) {
        throw actionNotAvailable('return with advice', `its task is ${status}; advice is given from ${ADVISABLE_TASK_STATUSES.join(' or ')}`);
      }
    },
  },
  'add-note': { sides: ['receiving'], verb: 'update the task of', onTask: true, check: notOnHold },
  attach: {
    sides: ['referring', 'receiving'],
    verb: 'attach a file to',
    check(target) {
      const status = statusOf(target);
      if (status === 'REVOKED' || status === 'COMPLETED') throw actionNotAvailable('attach a file to', `it is ${status}`);
    },
  },
};

/** The task action that moves a task to `status` through PATCH. */
export const TASK_MOVE_ACTIONS: Record<'RECEIVED' | 'ACCEPTED' | 'REJECTED' | 'INPROGRESS' | 'COMPLETED', ReferralAction> = {
  RECEIVED: 'receive',
  ACCEPTED: 'accept',
  REJECTED: 'reject',
  INPROGRESS: 'start',
  COMPLETED: 'complete',
};

/**
 * Refuses `action` unless the caller is on a side that may take it (403) and the referral's state
 * allows it (409); `checkVersion` runs between the two, so a stale If-Match is told before the state.
 */
export function permitAction(caller: Caller, action: ReferralAction, target: ActionTarget, checkVersion?: () => void): void {
  const rule = RULES[action];
  assertSide(caller, target.referral, rule.sides, rule.verb);
  checkVersion?.();
  if (rule.onTask && !target.task) throw actionNotAvailable(rule.verb, 'it has no task');
  rule.check(target);
}

/** Every action the caller may take on the referral now, in the order of REFERRAL_ACTIONS. */
export function actionsFor(caller: Caller, target: ActionTarget): ReferralAction[] {
  const sides = sidesOf(caller, target.referral);
  return REFERRAL_ACTIONS.filter((action) => {
    const rule = RULES[action];
    if (!rule.sides.some((side) => sides.includes(side))) return false;
    if (rule.onTask && !target.task) return false;
    try {
      rule.check(target);
      return true;
    } catch {
      return false;
    }
  });
}

/** A referral's current task: the newest, the one its next answer comes on. */
export function currentTask<T extends { id: number }>(tasks: readonly T[]): T | undefined {
  return tasks.at(-1);
}
