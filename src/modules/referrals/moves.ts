// Moving a referral to another organisation: the referrer redirects it (while no task is accepted, or
// after a rejection), the receiver forwards it (before accepting). The consent gate runs again for the
// new receiver's app; on success the open task is cancelled, a new task opens at the new receiver, the
// response clock restarts, and the organisation it left keeps the referral as it saw it.
import { validationFailed } from '../../platform/errors.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { pendingAuditEvent, type PendingAuditEvent } from '../audit/repo.js';
import type { Caller } from '../identity/caller.js';
import type { Priority } from '../vocabulary/priority.js';
import { visibleReferral } from './access.js';
import { currentTask, permitAction } from './actions.js';
import { receivingApp, receivingPartiesOf } from './bindings.js';
import type { ReferralChange, ReferralState } from './change-repo.js';
import { changeReferral } from './changes.js';
import { decisionSummary, refuseWithoutConsent, typesShared } from './sharing.js';
import type { ReferralDeps } from './deps.js';
import { responseDueAt } from './priority.js';
import type { MoveReferralInput, ReferralView } from './schemas.js';
import type { ReferralRow } from './tables.js';
import { isOpenTask, type TaskStatus } from './task-states.js';
import { toReferralView } from './views.js';

type MoveAction = 'redirect' | 'forward';

interface MoveRequest {
  caller: Caller;
  id: number;
  action: MoveAction;
  input: MoveReferralInput;
  ifMatch?: string;
}

export function createMoveUseCases(deps: ReferralDeps) {
  const { db, clock, consentGate } = deps;

  async function moveReferral(request: MoveRequest): Promise<ReferralView> {
    const written = await changeReferral(db, clock, request.id, (state, at) => judgeMove(request, state, at), { opensTask: true });
    return toReferralView(written.referral, clock.now(), { caller: request.caller, task: currentTask(written.tasks) });
  }

  async function judgeMove(request: MoveRequest, state: ReferralState | undefined, at: Date): Promise<ReferralChange> {
    const { caller, id, action, input } = request;
    const referral = visibleReferral(caller, state?.referral, id);
    const task = currentTask(state!.tasks);
    permitAction(caller, action, { referral, task }, () => assertIfMatch(request.ifMatch, referral.version));
    const clientId = await receivingApp(deps.directory, input);
    const open = task && isOpenTask(task.status as TaskStatus) ? task : undefined;
    assertNewReceiver(referral, input, action, open !== undefined);

    const consent = await consentGate.evaluate({ patientId: referral.patient_id, clientId, resourceTypes: typesShared(referral, state!.attachments) });
    if (consent.decision !== 'permit') await refuseWithoutConsent(deps, caller, referral, { action: `referral.${action}`, clientId, consent });

    const newTaskId = state!.newTaskId!;
    const author = caller.fhirUser ?? caller.sub;
    const to = { performerId: input.performerId, organisationId: input.receivingOrganisationId, clientId };
    const moved = pendingAuditEvent(clock, {
      actor: caller.sub,
      action: `referral.${action}`,
      outcome: 'success',
      entityType: 'Referral',
      entityId: id,
      referralId: id,
      detail: {
        from: receivingPartiesOf(referral),
        to: { performerId: to.performerId, receivingOrganisationId: to.organisationId, receivingFacilityClientId: clientId },
        reason: input.reason,
        taskId: newTaskId,
        consent: decisionSummary(consent),
      },
    });
    return {
      referral: {
        performer_id: to.performerId,
        receiving_organisation_id: to.organisationId,
        receiving_facility_client_id: clientId,
        // The new app has the patient's consent for everything shared: nothing is lost for it.
        consent_lost: '[]',
        response_due_at: responseDueAt(referral.priority as Priority, at, deps.responseDueHours),
      },
      tasks: open ? [{ id: open.id, status: 'CANCELLED', outcome: action === 'redirect' ? 'REDIRECTED' : 'FORWARDED' }] : [],
      openTask: { id: newTaskId, ownerId: to.organisationId, requesterId: referral.requester_id },
      notes: [
        ...(open ? [{ taskId: open.id, author, status: 'CANCELLED', text: leavingNote(action, input) }] : []),
        { taskId: newTaskId, author, status: 'REQUESTED', text: arrivingNote(action, referral, input) },
      ],
      move: { kind: action === 'redirect' ? 'REDIRECT' : 'FORWARD', to, reason: input.reason, movedBy: caller.sub },
      events: [...(open ? [cancelled(caller, referral, open.id, open.status, action)] : []), moved],
    };
  }

  function cancelled(caller: Caller, referral: ReferralRow, taskId: number, from: string, action: MoveAction): PendingAuditEvent {
    return pendingAuditEvent(clock, {
      actor: caller.sub,
      action: 'task.cancel',
      outcome: 'success',
      entityType: 'ReferralTask',
      entityId: taskId,
      referralId: referral.id,
      detail: { from, to: 'CANCELLED', outcome: action === 'redirect' ? 'REDIRECTED' : 'FORWARDED' },
    });
  }

  return {
    redirectReferral: (caller: Caller, id: number, input: MoveReferralInput, ifMatch?: string) =>
      moveReferral({ caller, id, action: 'redirect', input, ifMatch }),
    forwardReferral: (caller: Caller, id: number, input: MoveReferralInput, ifMatch?: string) =>
      moveReferral({ caller, id, action: 'forward', input, ifMatch }),
  };
}

/** A move goes somewhere new: to the receiver it is already waiting at only as a resubmission after a rejection. */
function assertNewReceiver(referral: ReferralRow, input: MoveReferralInput, action: MoveAction, waiting: boolean): void {
  const same = input.performerId === referral.performer_id && input.receivingOrganisationId === referral.receiving_organisation_id;
  if (same && (waiting || action === 'forward')) {
    throw validationFailed('body.performerId', `the referral is already with ${referral.performer_id}; ${action} it to another organisation`);
  }
}

/** The note the task left behind closes with: the organisation it left is not told where a redirect went. */
function leavingNote(action: MoveAction, input: MoveReferralInput): string {
  return action === 'redirect' ? `Redirected by the referrer: ${input.reason}` : `Forwarded to ${input.performerId}: ${input.reason}`;
}

/** The note the new task opens with, telling its receiver where the referral comes from. */
function arrivingNote(action: MoveAction, referral: ReferralRow, input: MoveReferralInput): string {
  return action === 'redirect' ? `Redirected here by the referrer: ${input.reason}` : `Forwarded by ${referral.performer_id}: ${input.reason}`;
}
