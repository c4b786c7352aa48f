// What a clinician chooses from: the kinds of referral and the reasons by name, what each priority
// means here (the instance's response times), and the coded reasons a receiver rejects with.
import { requireRole, type Caller } from '../identity/caller.js';
import { PRIORITIES } from '../vocabulary/priority.js';
import { REASON_CODES, REFERRAL_KINDS } from '../vocabulary/referral-codes.js';
import type { ReferralDeps } from './deps.js';
import { REJECTION_CODES, REJECTION_DISPLAY } from './outcomes.js';
import type { ReferralChoicesView } from './schemas.js';

export function createChoicesUseCase({ responseDueHours }: Pick<ReferralDeps, 'responseDueHours'>) {
  const choices: ReferralChoicesView = {
    kinds: REFERRAL_KINDS,
    reasons: REASON_CODES,
    rejectionReasons: REJECTION_CODES.map((code) => ({ code, display: REJECTION_DISPLAY[code] })),
    priorities: PRIORITIES.map((priority) => ({ priority, responseHours: responseDueHours[priority] })),
  };
  return {
    referralChoices(caller: Caller): ReferralChoicesView {
      requireRole(caller, 'clinician', 'admin');
      return choices;
    },
  };
}
