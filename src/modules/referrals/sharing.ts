// What a referral shares with its receiving app, and a refusal of the consent gate to share it (at
// send, redirect, forward or a new attachment): the refusal is audited on the referral's chain, and
// the caller is told every type that is missing and where the patient can consent.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { consentGateFailed } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import type { Database } from '../../database.js';
import { appendAuditEvent } from '../audit/repo.js';
import type { EvaluateResult } from '../consent/schemas.js';
import type { Caller } from '../identity/caller.js';
import type { ReferralRow } from './tables.js';

/** The resource types the receiving app is given: those listed, and DocumentReference once the referral has attachments. */
export function typesShared(referral: ReferralRow, attachments: number): string[] {
  const listed = referral.shared_resource_types;
  return attachments > 0 && !listed.includes('DocumentReference') ? [...listed, 'DocumentReference'] : listed;
}

export async function refuseWithoutConsent(
  { db, clock }: { db: Kysely<Database>; clock: Clock },
  caller: Caller,
  referral: ReferralRow,
  refused: { action: string; clientId: string; consent: EvaluateResult },
): Promise<never> {
  const { action, clientId, consent } = refused;
  const missing = missingTypes(consent);
  await inTransaction(db, (tx) =>
    appendAuditEvent(tx, clock, {
      actor: caller.sub,
      action,
      outcome: 'failure',
      entityType: 'Referral',
      entityId: referral.id,
      referralId: referral.id,
      detail: { reason: 'CONSENT_GATE_FAILED', clientId, missingResourceTypes: missing, consent: decisionSummary(consent) },
    }),
  );
  throw consentRefusal(missing, clientId, REFUSED_ACTIONS[action]);
}

/** What the caller was refused, in the refusal's words, by audited action. */
const REFUSED_ACTIONS: Record<string, string> = {
  'referral.send': 'send referral',
  'referral.redirect': 'redirect referral',
  'referral.forward': 'forward referral',
  'attachment.add': 'add the attachment',
};

/** The resource types a gate decision does not permit. */
export function missingTypes(consent: EvaluateResult): string[] {
  return consent.decisions.filter((d) => d.decision !== 'permit').map((d) => d.resourceType);
}

/** The 422 telling the caller what was `refused` (the guide's words for a send), every type the patient has not consented to share with `clientId`, and where to ask. */
export function consentRefusal(missing: string[], clientId: string, refused = 'send referral') {
  return consentGateFailed(
    `Cannot ${refused} — patient has not consented to share ${missing.join(', ')} with ${clientId}. ` +
      'Ask the patient to grant consent via the patient portal.',
    missing,
    `/consent/portal?client_id=${encodeURIComponent(clientId)}`,
  );
}

/** What the audit keeps of a gate decision: each type, its decision and the grant that decided it. */
export function decisionSummary(consent: EvaluateResult) {
  return consent.decisions.map((d) => ({ resourceType: d.resourceType, decision: d.decision, grantId: d.grant?.id ?? null }));
}
