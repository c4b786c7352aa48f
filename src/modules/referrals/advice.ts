// Advice & guidance: a clinician asks a specialist organisation about a patient before (or instead
// of) referring. Either side writes in the conversation; either closes it when answered; the
// specialist may answer "please refer"; the asker may convert it into a referral that keeps it. The
// patient data shared with the specialist's app passes the consent gate as a referral's does.
import { decodeCursor, pageOf } from '../../platform/cursor.js';
import { validationFailed } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { adviceSidesOf, conversationChanges, permitAdviceAction, visibleConversation } from './advice-changes.js';
import { findConversation, insertAdviceMessage, insertAdviceRequest, listConversations, updateAdviceRequest, type AdviceConversation } from './advice-repo.js';
import type { AdviceMessageInput, AdviceRequestView, ConvertAdviceInput, CreateAdviceRequestInput, ListAdviceFilter } from './advice-schemas.js';
import { ADVICE_ACTIONS, ADVICE_MOVES, type AdviceAction, type AdviceStatus } from './advice-states.js';
import { assertDrafter, receivingApp } from './bindings.js';
import type { ReferralDeps } from './deps.js';
import { assertResourceTypes, createDraftUseCases } from './drafts.js';
import { DEFAULT_LIMIT, isIdPosition } from './queries.js';
import type { ReferralView } from './schemas.js';
import { consentRefusal, missingTypes } from './sharing.js';
import type { AdviceRequestRow, ReferralRow } from './tables.js';

export function createAdviceUseCases(deps: ReferralDeps) {
  const { db, clock, consentGate, directory } = deps;
  const drafts = createDraftUseCases(deps);
  const { changeConversation, audit } = conversationChanges(deps);

  async function askForAdvice(caller: Caller, input: CreateAdviceRequestInput): Promise<AdviceRequestView> {
    requireRole(caller, 'clinician');
    assertDrafter(caller, input);
    const shared = input.sharedResourceTypes ?? [];
    assertResourceTypes(shared);
    const clientId = await receivingApp(directory, input);
    if (shared.length > 0) {
      const consent = await consentGate.evaluate({ patientId: input.patientId, clientId, resourceTypes: shared });
      if (consent.decision !== 'permit') throw consentRefusal(missingTypes(consent), clientId, 'ask for advice');
    }
    const at = clock.now();
    const conversation = await inTransaction(db, async (tx) => {
      const request = await insertAdviceRequest(tx, {
        status: 'AWAITING_SPECIALIST',
        patient_id: input.patientId,
        requester_id: caller.fhirUser!,
        sending_organisation_id: input.sendingOrganisationId,
        performer_id: input.performerId,
        receiving_organisation_id: input.receivingOrganisationId,
        receiving_facility_client_id: clientId,
        subject: input.subject,
        shared_resource_types: JSON.stringify(shared),
        created_by: caller.sub,
        created_at: at,
        updated_at: at,
      });
      const question = await insertAdviceMessage(tx, {
        advice_request_id: request.id,
        author: caller.fhirUser!,
        side: 'requester',
        text: input.question,
        created_at: at,
      });
      await audit(tx, caller, request, 'advice.ask', { to: input.performerId, sharedResourceTypes: shared });
      return { request, messages: [question] };
    });
    return toAdviceView(caller, conversation);
  }

  async function getAdviceRequest(caller: Caller, id: number): Promise<AdviceRequestView> {
    return toAdviceView(caller, visibleConversation(caller, await findConversation(db, id), id));
  }

  async function listAdviceRequests(caller: Caller, filter: ListAdviceFilter) {
    requireRole(caller, 'clinician');
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const afterId = filter.cursor ? decodeCursor(filter.cursor, isIdPosition).id : undefined;
    const rows = await listConversations(db, caller, { side: filter.side, statuses: filter.status && [filter.status], afterId, limit });
    return pageOf(
      rows,
      limit,
      (conversation) => toAdviceView(caller, conversation),
      (conversation) => ({ id: conversation.request.id }),
    );
  }

  /** A message from either side hands the turn to the other; a specialist's may say "please refer". */
  async function postMessage(caller: Caller, id: number, input: AdviceMessageInput): Promise<AdviceRequestView> {
    const changed = await changeConversation(caller, id, 'message', async (tx, side, to, at) => {
      if (input.pleaseRefer && side !== 'specialist') throw validationFailed('body.pleaseRefer', 'only the specialist side answers "please refer"');
      const message = await insertAdviceMessage(tx, {
        advice_request_id: id,
        author: caller.fhirUser!,
        side,
        text: input.text,
        please_refer: input.pleaseRefer ?? false,
        created_at: at,
      });
      const request = await updateAdviceRequest(tx, id, { status: to, ...(input.pleaseRefer && { please_refer: true }) }, at);
      await audit(tx, caller, request, 'advice.message', { side, messageId: message.id, pleaseRefer: input.pleaseRefer ?? false });
      return { request, added: [message] };
    });
    return toAdviceView(caller, changed);
  }

  async function closeAdviceRequest(caller: Caller, id: number): Promise<AdviceRequestView> {
    const changed = await changeConversation(caller, id, 'close', async (tx, side, to, at) => {
      const request = await updateAdviceRequest(tx, id, { status: to }, at);
      await audit(tx, caller, request, 'advice.close', { side });
      return { request, added: [] };
    });
    return toAdviceView(caller, changed);
  }

  /**
   * The asker turns the conversation into a draft referral to the same specialist organisation, which
   * keeps it. The draft is bound by the directory first; it is written with the conversation's move.
   */
  async function convertToReferral(caller: Caller, id: number, input: ConvertAdviceInput): Promise<ReferralView> {
    const { request } = permitAdviceAction(caller, await findConversation(db, id), id, 'convert');
    const sharedResourceTypes = input.sharedResourceTypes ?? request.shared_resource_types;
    if (sharedResourceTypes.length === 0)
      throw validationFailed('body.sharedResourceTypes', 'name what the referral shares: the advice request shared nothing');
    const draft = await drafts.prepareDraft(caller, { ...partiesOf(request), ...input, sharedResourceTypes }, id);
    let referral: ReferralRow | undefined;
    await changeConversation(caller, id, 'convert', async (tx, side, to, at) => {
      referral = await drafts.insertDraft(tx, caller, draft);
      const converted = await updateAdviceRequest(tx, id, { status: to, referral_id: referral.id }, at);
      await audit(tx, caller, converted, 'advice.convert', { side, referralId: referral.id });
      return { request: converted, added: [] };
    });
    return drafts.viewOf(referral!, caller).body;
  }

  return { askForAdvice, getAdviceRequest, listAdviceRequests, postMessage, closeAdviceRequest, convertToReferral };
}

/** What the caller may do now, by the same table the moves are judged by. */
function adviceActionsFor(caller: Caller, request: AdviceRequestRow): AdviceAction[] {
  const sides = adviceSidesOf(caller, request);
  return ADVICE_ACTIONS.filter((action) => {
    const move = ADVICE_MOVES[action];
    return move.sides.some((side) => sides.includes(side)) && move.from.includes(request.status as AdviceStatus);
  });
}

const partiesOf = (request: AdviceRequestRow) => ({
  patientId: request.patient_id,
  sendingOrganisationId: request.sending_organisation_id,
  performerId: request.performer_id,
  receivingOrganisationId: request.receiving_organisation_id,
  receivingFacilityClientId: request.receiving_facility_client_id,
});

export function toAdviceView(caller: Caller, { request, messages }: AdviceConversation): AdviceRequestView {
  return {
    id: request.id,
    status: request.status as AdviceStatus,
    version: request.version,
    ...partiesOf(request),
    requesterId: request.requester_id,
    subject: request.subject,
    sharedResourceTypes: request.shared_resource_types,
    pleaseRefer: request.please_refer,
    referralId: request.referral_id,
    messages: messages.map((message) => ({
      id: message.id,
      author: message.author,
      side: message.side,
      text: message.text,
      pleaseRefer: message.please_refer,
      createdAt: message.created_at.toISOString(),
    })),
    actions: adviceActionsFor(caller, request),
    createdAt: request.created_at.toISOString(),
    updatedAt: request.updated_at.toISOString(),
  };
}
