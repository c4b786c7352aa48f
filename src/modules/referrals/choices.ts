// What a clinician drafting a referral chooses from: the kinds of referral and the reasons by name,
// and what each priority means here (the instance's response times).
import { requireRole, type Caller } from '../identity/caller.js';
import { PRIORITIES } from '../vocabulary/priority.js';
import { REASON_CODES, REFERRAL_KINDS } from '../vocabulary/referral-codes.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralChoicesView } from './schemas.js';

export function createChoicesUseCase({ responseDueHours }: Pick<ReferralDeps, 'responseDueHours'>) {
  const choices: ReferralChoicesView = {
    kinds: REFERRAL_KINDS,
    reasons: REASON_CODES,
    priorities: PRIORITIES.map((priority) => ({ priority, responseHours: responseDueHours[priority] })),
  };
  return {
    referralChoices(caller: Caller): ReferralChoicesView {
      requireRole(caller, 'clinician', 'admin');
      return choices;
    },
  };
}
