// Sending a referral through the consent gate: the patient must have consented to share every
// listed resource type with the receiving facility's SMART client (workflow guide, step 3).
import { consentGateFailed, invalidTransition, versionConflict } from '../../platform/errors.js';
import { claimKey, findStoredResponse, idempotentRequest, storeResponse, type IdempotentRequest } from '../../platform/idempotency.js';
import type { ReferralRow } from '../../platform/schema.js';
import { assertIfMatch, etagOf } from '../../platform/versioning.js';
import { appendAuditEvent, pendingAuditEvent, type AuditEventInput } from '../audit/repo.js';
import type { EvaluateResult } from '../consent/schemas.js';
import type { Caller } from '../identity/caller.js';
import { assertSide, visibleReferral } from './access.js';
import { receivingApp } from './bindings.js';
import type { Outcome, ReferralDeps } from './deps.js';
import { responseDueAt, type Priority } from './priority.js';
import * as referrals from './repo.js';
import type { ReferralView } from './schemas.js';
import { referralTransition, type ReferralStatus } from './states.js';
import { insertTask } from './task-repo.js';
import { toReferralView } from './views.js';

export function createSendUseCase(deps: ReferralDeps) {
  const { db, clock, consentGate } = deps;

  /**
   * 1. The referring side may send a DRAFT (If-Match honoured).
   * 2. The gate evaluates every shared type; any denial is a 422 naming them all, audited.
   * 3. In one transaction: ACTIVE with authoredOn and responseDueAt, a REQUESTED task for the
   *    receiving organisation, and the audit event carrying each type's decision.
   */
  async function sendReferral(caller: Caller, id: number, options: { idempotencyKey?: string; ifMatch?: string } = {}): Promise<Outcome<ReferralView>> {
    if (!options.idempotencyKey) return send(caller, id, options.ifMatch);
    const keyed = idempotentRequest(caller.sub, `referral.send:${id}`, options.idempotencyKey, null);
    const stored = await findStoredResponse(db, keyed);
    if (stored) return stored as Outcome<ReferralView>;
    try {
      return await send(caller, id, options.ifMatch, keyed);
    } catch (error) {
      // A request with the same key may have sent the draft after our first look: its result stands.
      const won = await findStoredResponse(db, keyed);
      if (won) return won as Outcome<ReferralView>;
      throw error;
    }
  }

  async function send(caller: Caller, id: number, ifMatch?: string, keyed?: IdempotentRequest): Promise<Outcome<ReferralView>> {
    const toSend = await referrals.findReferralToSend(db, id);
    const draft = visibleReferral(caller, toSend?.referral, id);
    assertSide(caller, draft, ['referring'], 'send');
    assertIfMatch(ifMatch, draft.version);
    referralTransition(draft.status as ReferralStatus, 'send');
    // A draft is judged by the directory as it is now: its organisations still active, its app still theirs.
    await receivingApp(deps.directory, partiesOf(draft));

    const consent = await consentGate.evaluate({
      patientId: draft.patient_id,
      clientId: draft.receiving_facility_client_id,
      resourceTypes: draft.shared_resource_types,
    });
    if (consent.decision !== 'permit') await refuse(caller, draft, consent);
    return (!keyed && (await activateAsJudged(caller, draft, toSend!.taskId, consent))) || activate(caller, draft, consent, keyed);
  }

  async function refuse(caller: Caller, draft: ReferralRow, consent: EvaluateResult): Promise<never> {
    const missing = consent.decisions.filter((d) => d.decision !== 'permit').map((d) => d.resourceType);
    await db.transaction().execute((tx) =>
      appendAuditEvent(tx, clock, {
        actor: caller.sub,
        action: 'referral.send',
        outcome: 'failure',
        entityType: 'Referral',
        entityId: draft.id,
        referralId: draft.id,
        detail: { reason: 'CONSENT_GATE_FAILED', missingResourceTypes: missing, consent: decisionSummary(consent) },
      }),
    );
    throw consentGateFailed(
      `Cannot send referral — patient has not consented to share ${missing.join(', ')} with ${draft.receiving_facility_client_id}. ` +
        'Ask the patient to grant consent via the patient portal.',
      missing,
      `/consent/portal?client_id=${encodeURIComponent(draft.receiving_facility_client_id)}`,
    );
  }

  /**
   * Activates the draft as the gate judged it in one statement (referral, its task, the audit
   * event), which holds only while the draft is unchanged; nothing when it changed meanwhile.
   */
  async function activateAsJudged(caller: Caller, draft: ReferralRow, taskId: number, consent: EvaluateResult): Promise<Outcome<ReferralView> | undefined> {
    const sentAt = clock.now();
    const sent = await referrals.writeSend(db, {
      draft,
      taskId,
      sentAt,
      responseDueAt: responseDueAt(draft.priority as Priority, sentAt, deps.responseDueHours),
      audit: pendingAuditEvent(clock, sendAudit(caller, draft, taskId, consent)),
    });
    return sent && { statusCode: 200, body: toReferralView(sent, sentAt) };
  }

  async function activate(caller: Caller, draft: ReferralRow, consent: EvaluateResult, keyed?: IdempotentRequest) {
    const outcome = await db.transaction().execute(async (tx) => {
      if (keyed && !(await claimKey(tx, keyed, clock.now()))) return undefined;
      const row = (await referrals.findReferral(tx, draft.id, { forUpdate: true }))!;
      if (row.status !== 'DRAFT') throw invalidTransition('Referral', row.status, 'ACTIVE');
      // The gate judged the draft as it was; an edit since then must be sent again.
      if (row.version !== draft.version) throw versionConflict(etagOf(draft.version), etagOf(row.version));
      const sentAt = clock.now();
      const sent = await referrals.updateReferral(
        tx,
        row.id,
        {
          status: referralTransition('DRAFT', 'send'),
          authored_on: sentAt,
          consent_verified: true,
          response_due_at: responseDueAt(row.priority as Priority, sentAt, deps.responseDueHours),
        },
        sentAt,
      );
      const task = await insertTask(tx, { referralId: row.id, ownerId: row.receiving_organisation_id, requesterId: row.requester_id, at: sentAt });
      await appendAuditEvent(tx, clock, sendAudit(caller, row, task.id, consent));
      const result = { statusCode: 200, body: toReferralView(sent, sentAt) };
      if (keyed) await storeResponse(tx, keyed, result);
      return result;
    });
    return outcome ?? ((await findStoredResponse(db, keyed!)) as Outcome<ReferralView>);
  }

  return { sendReferral };
}

const partiesOf = (draft: ReferralRow) => ({
  performerId: draft.performer_id,
  receivingOrganisationId: draft.receiving_organisation_id,
  receivingFacilityClientId: draft.receiving_facility_client_id,
});

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

/** What the audit keeps of a gate decision: each type, its decision and the grant that decided it. */
function decisionSummary(consent: EvaluateResult) {
  return consent.decisions.map((d) => ({ resourceType: d.resourceType, decision: d.decision, grantId: d.grant?.id ?? null }));
}
