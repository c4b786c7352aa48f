// Every pair of statuses, for both state machines: exactly the expected moves are allowed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../platform/errors.js';
import { REFERRAL_MOVES, REFERRAL_STATUSES, referralTransition, type ReferralEvent, type ReferralStatus } from './states.js';
import { isOpenTask, TASK_STATUSES, taskTransition, type TaskStatus } from './task-states.js';

const EXPECTED_REFERRAL_MOVES = new Set([
  'DRAFT -edit-> DRAFT',
  'DRAFT -send-> ACTIVE',
  'DRAFT -revoke-> REVOKED',
  'ACTIVE -hold-> ON_HOLD',
  'ACTIVE -revoke-> REVOKED',
  'ACTIVE -complete-> COMPLETED',
  'ACTIVE -redirect-> ACTIVE',
  'ACTIVE -forward-> ACTIVE',
  'ON_HOLD -resume-> ACTIVE',
  'ON_HOLD -revoke-> REVOKED',
]);

const EXPECTED_TASK_MOVES = new Set([
  'REQUESTED->RECEIVED',
  'REQUESTED->ACCEPTED',
  'REQUESTED->REJECTED',
  'REQUESTED->CANCELLED',
  'RECEIVED->ACCEPTED',
  'RECEIVED->REJECTED',
  'RECEIVED->CANCELLED',
  'ACCEPTED->INPROGRESS',
  'ACCEPTED->CANCELLED',
  'INPROGRESS->COMPLETED',
  'INPROGRESS->CANCELLED',
]);

function outcome<T>(attempt: () => T): T | AppError {
  try {
    return attempt();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

describe('referral state machine', () => {
  const events = Object.keys(REFERRAL_MOVES) as ReferralEvent[];
  for (const from of REFERRAL_STATUSES) {
    for (const event of events) {
      const target = REFERRAL_MOVES[event].to;
      const allowed = EXPECTED_REFERRAL_MOVES.has(`${from} -${event}-> ${target}`);
      it(`${event} from ${from} is ${allowed ? `allowed, to ${target}` : 'refused'}`, () => {
        const result = outcome(() => referralTransition(from, event));
        if (allowed) return assert.equal(result, target);
        assert.ok(result instanceof AppError);
        assert.equal(result.status, 409);
        assert.equal(result.code, 'INVALID_TRANSITION');
        assert.deepEqual(result.details, { from, to: target });
      });
    }
  }

  it('reaches exactly the expected pairs of statuses', () => {
    const reachable = new Set<string>();
    for (const from of REFERRAL_STATUSES) {
      for (const to of REFERRAL_STATUSES) {
        if (events.some((event) => outcome(() => referralTransition(from, event)) === to)) reachable.add(`${from}->${to}`);
      }
    }
    const expected = new Set([...EXPECTED_REFERRAL_MOVES].map((move) => move.replace(/ -\w+-> /, '->')));
    assert.deepEqual(reachable, expected);
  });

  it('finishes in REVOKED and COMPLETED', () => {
    for (const end of ['REVOKED', 'COMPLETED'] as ReferralStatus[]) {
      assert.ok(events.every((event) => outcome(() => referralTransition(end, event)) instanceof AppError));
    }
  });
});

describe('task state machine (FHIR R4 Task)', () => {
  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES) {
      const allowed = EXPECTED_TASK_MOVES.has(`${from}->${to}`);
      it(`${from} -> ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        const result = outcome(() => taskTransition(from, to));
        if (allowed) return assert.equal(result, to);
        assert.ok(result instanceof AppError);
        assert.equal(result.code, 'INVALID_TRANSITION');
        assert.deepEqual(result.details, { from, to });
      });
    }
  }

  it('counts only COMPLETED, REJECTED and CANCELLED as finished', () => {
    const finished = TASK_STATUSES.filter((status: TaskStatus) => !isOpenTask(status));
    assert.deepEqual(finished, ['COMPLETED', 'REJECTED', 'CANCELLED']);
  });
});
