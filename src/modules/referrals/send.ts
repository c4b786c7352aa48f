// Sending a referral through the consent gate: the patient must have consented to share every
// listed resource type with the receiving facility's SMART client (workflow guide, step 3).
import { findStoredResponse, idempotentRequest, type IdempotentRequest } from '../../platform/idempotency.js';
import type { ReferralRow } from './tables.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { pendingAuditEvent, type AuditEventInput } from '../audit/repo.js';
import { decisionSummary, refuseWithoutConsent, typesShared } from './sharing.js';
import type { EvaluateResult } from '../consent/schemas.js';
import type { Caller } from '../identity/caller.js';
import { visibleReferral } from './access.js';
import { currentTask, permitAction } from './actions.js';
import { receivingApp, receivingPartiesOf } from './bindings.js';
import type { Outcome, ReferralDeps } from './deps.js';
import type { Priority } from '../vocabulary/priority.js';
import { responseDueAt } from './priority.js';
import { referralAfter, type ReferralChange, type ReferralState } from './change-repo.js';
import { changeReferral } from './changes.js';
import type { ReferralView } from './schemas.js';
import { referralTransition, type ReferralStatus } from './states.js';
import { toReferralView } from './views.js';

export function createSendUseCase(deps: ReferralDeps) {
  const { db, clock, consentGate } = deps;

  /**
   * 1. The referring side may send a DRAFT (If-Match honoured).
   * 2. The gate evaluates every shared type; any denial is a 422 naming them all, audited.
   * 3. In one write: ACTIVE with authoredOn and responseDueAt, a REQUESTED task for the receiving
   *    organisation, and the audit event carrying each type's decision (changes.ts).
   */
  async function sendReferral(caller: Caller, id: number, options: { idempotencyKey?: string; ifMatch?: string } = {}): Promise<Outcome<ReferralView>> {
    const keyed = options.idempotencyKey ? idempotentRequest(caller.sub, `referral.send:${id}`, options.idempotencyKey, null) : undefined;
    const stored = keyed && (await findStoredResponse(db, keyed));
    if (stored) return stored as Outcome<ReferralView>;
    try {
      const sent = await changeReferral(db, clock, id, (state, at) => judgeSend({ caller, id, ifMatch: options.ifMatch, keyed }, state, at), {
        opensTask: true,
      });
      return { statusCode: 200, body: toReferralView(sent.referral, clock.now(), { caller, task: currentTask(sent.tasks) }) };
    } catch (error) {
      // A request with the same key may have sent the draft after our first look: its result stands.
      const won = keyed && (await findStoredResponse(db, keyed));
      if (won) return won as Outcome<ReferralView>;
      throw error;
    }
  }

  async function judgeSend({ caller, id, ifMatch, keyed }: SendRequest, state: ReferralState | undefined, sentAt: Date): Promise<ReferralChange> {
    const draft = visibleReferral(caller, state?.referral, id);
    permitAction(caller, 'send', { referral: draft }, () => assertIfMatch(ifMatch, draft.version));
    const to = referralTransition(draft.status as ReferralStatus, 'send');
    // A draft is judged by the directory as it is now: its organisations still active, its app still theirs.
    await receivingApp(deps.directory, receivingPartiesOf(draft));

    const consent = await consentGate.evaluate({
      patientId: draft.patient_id,
      clientId: draft.receiving_facility_client_id,
      resourceTypes: typesShared(draft, state!.attachments),
    });
    if (consent.decision !== 'permit') {
      await refuseWithoutConsent(deps, caller, draft, { action: 'referral.send', clientId: draft.receiving_facility_client_id, consent });
    }
    const taskId = state!.newTaskId!;
    const sent = {
      status: to,
      authored_on: sentAt,
      consent_verified: true,
      response_due_at: responseDueAt(draft.priority as Priority, sentAt, deps.responseDueHours),
    };
    return {
      referral: sent,
      openTask: { id: taskId, ownerId: draft.receiving_organisation_id, requesterId: draft.requester_id },
      events: [pendingAuditEvent(clock, sendAudit(caller, draft, taskId, consent))],
      response: keyed && {
        request: keyed,
        stored: { statusCode: 200, body: toReferralView(referralAfter(draft, sent, sentAt), sentAt, { caller, task: { id: taskId, status: 'REQUESTED' } }) },
      },
    };
  }

  return { sendReferral };
}

interface SendRequest {
  caller: Caller;
  id: number;
  ifMatch?: string;
  keyed?: IdempotentRequest;
}

/** The audit event of a successful send: the move, the task it opened and each type's decision. */
function sendAudit(caller: Caller, referral: ReferralRow, taskId: number, consent: EvaluateResult): AuditEventInput {
  return {
    actor: caller.sub,
    action: 'referral.send',
    outcome: 'success',
    entityType: 'Referral',
    entityId: referral.id,
    referralId: referral.id,
    detail: { from: 'DRAFT', to: 'ACTIVE', taskId, consent: decisionSummary(consent) },
  };
}
