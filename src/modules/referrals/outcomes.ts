// How a referral's answer is told: the coded reasons a receiver rejects with, how a task ended beyond
// its status, and the outcome of a referral completed without the patient being seen.

/** Why a receiving organisation rejects a referral (with free text beside the code). */
export const REJECTION_CODES = ['INSUFFICIENT_INFORMATION', 'WRONG_SERVICE', 'NO_CAPACITY', 'PATIENT_DECLINED', 'DUPLICATE', 'OTHER'] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const REJECTION_DISPLAY: Record<RejectionCode, string> = {
  INSUFFICIENT_INFORMATION: 'Insufficient information',
  WRONG_SERVICE: 'Wrong service',
  NO_CAPACITY: 'No capacity',
  PATIENT_DECLINED: 'Patient declined',
  DUPLICATE: 'Duplicate referral',
  OTHER: 'Other',
};

/** How a task ended, where its status alone does not say: returned with advice, or closed because the referral moved or was revoked. */
export const TASK_OUTCOMES = ['RETURNED_WITH_ADVICE', 'REDIRECTED', 'FORWARDED', 'REVOKED'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** A referral completed without the service being provided: the receiver answered with advice instead. */
export const REFERRAL_OUTCOMES = ['RETURNED_WITH_ADVICE'] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

/** The code systems these codes are published under on the FHIR resources. */
export const REJECTION_CODE_SYSTEM = 'urn:referral-hub:rejection-reason';
export const TASK_BUSINESS_STATUS_SYSTEM = 'urn:referral-hub:task-business-status';

/** A code as FHIR spells this service's codes: `NO_CAPACITY` → `no-capacity`. */
export const fhirCode = (code: string) => code.toLowerCase().replaceAll('_', '-');
