// Who is on which side of an advice request, and the one path of every change to it: hold its row,
// judge the move for the caller's side with the state table, write, and audit on its own chain, all
// in one transaction. Nothing outside the database (directory, consent) is asked inside it.
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transactions.js';
import { appendAuditEvent } from '../audit/repo.js';
import { recordNotifications, type Recipient } from '../notifications/record.js';
import { hasRole, organizationsWhere, type Caller } from '../identity/caller.js';
import { findConversation, type AdviceConversation } from './advice-repo.js';
import { ADVICE_MOVES, adviceTransition, type AdviceAction, type AdviceSide, type AdviceStatus } from './advice-states.js';
import type { ReferralDeps } from './deps.js';
import type { AdviceMessageRow, AdviceRequestRow } from './tables.js';

/** The sides the caller is on: the asker (or a referrer of its organisation), and the specialist organisation's receivers. */
export function adviceSidesOf(caller: Caller, request: AdviceRequestRow): AdviceSide[] {
  if (!hasRole(caller, 'clinician')) return [];
  const sides: AdviceSide[] = [];
  if (caller.fhirUser === request.requester_id || organizationsWhere(caller, 'referrer').includes(request.sending_organisation_id)) sides.push('requester');
  const receives = organizationsWhere(caller, 'receiver');
  if (receives.includes(request.performer_id) || receives.includes(request.receiving_organisation_id)) sides.push('specialist');
  return sides;
}

/** 404 unless the conversation exists and the caller is on one of its sides. */
export function visibleConversation(caller: Caller, conversation: AdviceConversation | undefined, id: number): AdviceConversation {
  if (!conversation || adviceSidesOf(caller, conversation.request).length === 0) throw notFound(`Advice request ${id}`);
  return conversation;
}

/** The side the caller takes `action` on (the asker's first, for one on both); 403 when none may. */
function sideFor(caller: Caller, request: AdviceRequestRow, action: AdviceAction): AdviceSide {
  const allowed = ADVICE_MOVES[action].sides;
  const side = adviceSidesOf(caller, request).find((candidate) => allowed.includes(candidate));
  if (!side) throw forbidden(`Only the ${allowed.join(' or ')} side may ${action} on this advice request`);
  return side;
}

/** Refuses `action` on the conversation as it is now (404, 403 or 409), before anything slow is done for it. */
export function permitAdviceAction(caller: Caller, conversation: AdviceConversation | undefined, id: number, action: AdviceAction): AdviceConversation {
  const found = visibleConversation(caller, conversation, id);
  adviceTransition(found.request.status as AdviceStatus, action, sideFor(caller, found.request, action));
  return found;
}

/** The event each audited step is told as (a download is audited, not told). */
const EVENT_OF_ACTION: Record<string, string> = {
  'advice.ask': 'advice.requested',
  'advice.message': 'advice.message',
  'advice.close': 'advice.closed',
  'advice.convert': 'advice.converted',
  'attachment.add': 'advice.attachment-added',
};

/** The asker's organisation on the referring side; the specialist organisation on the receiving side. */
function adviceParties(request: AdviceRequestRow): Recipient[] {
  return [
    { organisation: request.sending_organisation_id, side: 'referring' },
    { organisation: request.performer_id, side: 'receiving' },
    { organisation: request.receiving_organisation_id, side: 'receiving' },
  ];
}

type Write = (tx: Kysely<Database>, side: AdviceSide, to: AdviceStatus, at: Date) => Promise<{ request: AdviceRequestRow; added: AdviceMessageRow[] }>;

export function conversationChanges({ db, clock }: Pick<ReferralDeps, 'db' | 'clock'>) {
  async function changeConversation(caller: Caller, id: number, action: AdviceAction, write: Write): Promise<AdviceConversation> {
    return inTransaction(db, async (tx) => {
      const found = visibleConversation(caller, await findConversation(tx, id, { lock: true }), id);
      const side = sideFor(caller, found.request, action);
      const to = adviceTransition(found.request.status as AdviceStatus, action, side);
      const { request, added } = await write(tx, side, to, clock.now());
      return { request, messages: [...found.messages, ...added] };
    });
  }

  /** Audits a step on the conversation's chain and tells its two sides, in the step's transaction. */
  async function audit(tx: Kysely<Database>, caller: Caller, request: AdviceRequestRow, action: string, detail: Record<string, unknown>): Promise<void> {
    const event = await appendAuditEvent(tx, clock, {
      actor: caller.sub,
      action,
      outcome: 'success',
      entityType: 'AdviceRequest',
      entityId: request.id,
      detail,
    });
    const type = EVENT_OF_ACTION[action];
    if (!type) return;
    const data = {
      adviceRequestId: request.id,
      status: request.status,
      ...(detail.pleaseRefer === true && { pleaseRefer: true }),
      ...(typeof detail.referralId === 'number' && { referralId: detail.referralId }),
    };
    await recordNotifications(tx, [
      { type, subjectType: 'AdviceRequest', subjectId: request.id, occurredAt: new Date(event.recordedAt), data, recipients: adviceParties(request) },
    ]);
  }

  return { changeConversation, audit };
}
