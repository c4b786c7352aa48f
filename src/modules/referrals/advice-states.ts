// An advice request's lifecycle as data: whose turn it is, and what each side may do on it. The
// requester asks; each message hands the turn to the other side; either side attaches files while it
// is open, and closes it when answered; the requester may convert it into a referral, which ends the
// conversation there.
import { invalidTransition } from '../../platform/errors.js';

export const ADVICE_STATUSES = ['AWAITING_SPECIALIST', 'AWAITING_REQUESTER', 'CLOSED', 'CONVERTED'] as const;
export type AdviceStatus = (typeof ADVICE_STATUSES)[number];

/** The two sides of a conversation: who asks, and the specialist organisation asked. */
export type AdviceSide = 'requester' | 'specialist';

export const ADVICE_ACTIONS = ['message', 'close', 'convert', 'attach'] as const;
export type AdviceAction = (typeof ADVICE_ACTIONS)[number];

interface AdviceMove {
  sides: readonly AdviceSide[];
  from: readonly AdviceStatus[];
  /** The status after the move, by the side that made it, from the status it was in. */
  to: (side: AdviceSide, from: AdviceStatus) => AdviceStatus;
}

const OPEN: readonly AdviceStatus[] = ['AWAITING_SPECIALIST', 'AWAITING_REQUESTER'];

export const ADVICE_MOVES: Record<AdviceAction, AdviceMove> = {
  message: { sides: ['requester', 'specialist'], from: OPEN, to: (side) => (side === 'requester' ? 'AWAITING_SPECIALIST' : 'AWAITING_REQUESTER') },
  close: { sides: ['requester', 'specialist'], from: OPEN, to: () => 'CLOSED' },
  convert: { sides: ['requester'], from: [...OPEN, 'CLOSED'], to: () => 'CONVERTED' },
  attach: { sides: ['requester', 'specialist'], from: OPEN, to: (_side, from) => from },
};

/** The status `action` by `side` leads to from `status`; 409 INVALID_TRANSITION when it may not happen then. */
export function adviceTransition(status: AdviceStatus, action: AdviceAction, side: AdviceSide): AdviceStatus {
  const move = ADVICE_MOVES[action];
  const to = move.to(side, status);
  if (!move.from.includes(status)) throw invalidTransition('AdviceRequest', status, to);
  return to;
}
