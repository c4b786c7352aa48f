// The referral's lifecycle as data: which event moves a ReferralRecord from which statuses, and where.
import { invalidTransition } from '../../platform/errors.js';

export const REFERRAL_STATUSES = ['DRAFT', 'ACTIVE', 'ON_HOLD', 'REVOKED', 'COMPLETED'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export type ReferralEvent = 'edit' | 'send' | 'hold' | 'resume' | 'revoke' | 'complete' | 'redirect' | 'forward';

interface Move {
  from: readonly ReferralStatus[];
  to: ReferralStatus;
}

/**
 * A draft is edited and sent; a sent referral is held, resumed, revoked, completed by its task, or
 * moved to another organisation (redirected by its sender, forwarded by its receiver) and stays active.
 */
export const REFERRAL_MOVES: Record<ReferralEvent, Move> = {
  edit: { from: ['DRAFT'], to: 'DRAFT' },
  send: { from: ['DRAFT'], to: 'ACTIVE' },
  hold: { from: ['ACTIVE'], to: 'ON_HOLD' },
  resume: { from: ['ON_HOLD'], to: 'ACTIVE' },
  revoke: { from: ['DRAFT', 'ACTIVE', 'ON_HOLD'], to: 'REVOKED' },
  complete: { from: ['ACTIVE'], to: 'COMPLETED' },
  redirect: { from: ['ACTIVE'], to: 'ACTIVE' },
  forward: { from: ['ACTIVE'], to: 'ACTIVE' },
};

/** The status `event` leads to from `status`; 409 INVALID_TRANSITION when it may not happen. */
export function referralTransition(status: ReferralStatus, event: ReferralEvent): ReferralStatus {
  const move = REFERRAL_MOVES[event];
  if (!move.from.includes(status)) throw invalidTransition('Referral', status, move.to);
  return move.to;
}

/** Referrals that are sent and not yet finished. */
export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = ['ACTIVE', 'ON_HOLD'];
