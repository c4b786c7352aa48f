// What the parties of a referral are told of a change: each audited step names its event (sent,
// received, accepted, redirected…), told to the organisations entitled to the referral at that moment
// (the sending organisation on the referring side; once sent, the performer and the receiving
// organisation on the receiving side), and, for a move, also to the organisation it left. When the
// patient's consent for a shared type ends (or is back), both sides are told which types.
import type { PendingAuditEvent } from '../audit/repo.js';
import type { PendingNotification, Recipient } from '../notifications/record.js';
import type { ReferralRow } from './tables.js';

/** What telling a referral's parties needs of it. */
type Parties = Pick<ReferralRow, 'id' | 'status' | 'sending_organisation_id' | 'performer_id' | 'receiving_organisation_id'>;

/** The event of each audited action, when the parties are told of it. */
const EVENT_OF_ACTION: Record<string, string> = {
  'referral.create': 'referral.created',
  'referral.send': 'referral.sent',
  'referral.hold': 'referral.held',
  'referral.resume': 'referral.resumed',
  'referral.revoke': 'referral.revoked',
  'referral.redirect': 'referral.redirected',
  'referral.forward': 'referral.forwarded',
  'attachment.add': 'referral.attachment-added',
  'referral.consent-withdrawn': 'referral.consent-withdrawn',
  'referral.consent-restored': 'referral.consent-restored',
};

/** A task's move, by the status it reaches (its completion is told as the referral's). */
const EVENT_OF_TASK_STATUS: Record<string, string> = {
  RECEIVED: 'referral.received',
  ACCEPTED: 'referral.accepted',
  INPROGRESS: 'referral.started',
  REJECTED: 'referral.rejected',
};

function eventTypeOf({ content }: PendingAuditEvent): string | undefined {
  if (content.outcome !== 'success') return undefined;
  const detail = content.detail as { to?: string; outcome?: string };
  if (content.action === 'task.update') return EVENT_OF_TASK_STATUS[detail.to ?? ''];
  if (content.action === 'referral.complete') return detail.outcome === 'RETURNED_WITH_ADVICE' ? 'referral.returned-with-advice' : 'referral.completed';
  return EVENT_OF_ACTION[content.action];
}

/** Who is entitled to a referral as it stands. */
export function partiesOf(referral: Parties): Recipient[] {
  const referring: Recipient[] = [{ organisation: referral.sending_organisation_id, side: 'referring' }];
  if (referral.status === 'DRAFT') return referring;
  return [...referring, { organisation: referral.performer_id, side: 'receiving' }, { organisation: referral.receiving_organisation_id, side: 'receiving' }];
}

/** The events a change announces, from its audit events, the referral before it (none at creation) and after. */
export function referralNotifications(audited: PendingAuditEvent[], before: Parties | undefined, after: Parties): PendingNotification[] {
  return audited.flatMap((event) => {
    const type = eventTypeOf(event);
    if (!type) return [];
    const detail = event.content.detail as { rejectionCode?: string; taskId?: number; resourceTypes?: string[] };
    const moved = type === 'referral.redirected' || type === 'referral.forwarded';
    const recipients = [...partiesOf(after), ...(moved && before ? partiesOf(before) : [])];
    const taskId = event.content.entityType === 'ReferralTask' ? Number(event.content.entityId) : detail.taskId;
    return [
      {
        type,
        subjectType: 'Referral' as const,
        subjectId: after.id,
        occurredAt: new Date(event.content.recordedAt),
        data: {
          referralId: after.id,
          status: after.status,
          ...(taskId !== undefined && { taskId }),
          ...(detail.rejectionCode && { rejectionCode: detail.rejectionCode }),
          ...(detail.resourceTypes && { resourceTypes: detail.resourceTypes }),
        },
        recipients,
      },
    ];
  });
}
