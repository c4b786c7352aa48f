// A referral's state and dates as a clinician reads them.
import type { components } from './api/schema';

type Referral = components['schemas']['Referral'];

const STANDING: Record<string, string> = {
  REQUESTED: 'Sent, not yet received',
  RECEIVED: 'Received',
  ACCEPTED: 'Accepted',
  INPROGRESS: 'In progress',
  COMPLETED: 'Completed',
  REJECTED: 'Rejected',
  CANCELLED: 'Cancelled',
  DRAFT: 'Draft',
  ON_HOLD: 'On hold',
  REVOKED: 'Revoked',
};

/** Where the referral stands: its task's step while it is active, else its own status. */
export function standingOf(referral: Referral): string {
  const standing = referral.status === 'ACTIVE' && referral.currentTask ? referral.currentTask.status : referral.status;
  return STANDING[standing] ?? standing;
}

export const day = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

type AuditEntry = components['schemas']['AuditEntry'];

const HAPPENED: Record<string, string> = {
  'referral.create': 'Drafted',
  'referral.update': 'Edited',
  'referral.send': 'Sent',
  'referral.hold': 'Put on hold',
  'referral.resume': 'Resumed',
  'referral.revoke': 'Revoked',
  'referral.complete': 'Referral completed',
  'referral.redirect': 'Redirected',
  'referral.forward': 'Forwarded',
};

/** One line of a referral's history: what happened, in words. */
export function happened(entry: AuditEntry): string {
  const to = (entry.detail as { to?: string }).to;
  if (entry.action === 'task.update' && to) return `Task: ${STANDING[to]?.toLowerCase() ?? to}`;
  return HAPPENED[entry.action] ?? entry.action;
}

/** Who did something (an audit actor, a note's author): a clinician by their directory id, without the sign-in's prefix. */
export const whoDid = (actor: string) => actor.replace(/^practitioner:/, '');

/** A referral's priority as a badge colour: routine grey, urgent orange, ASAP and STAT red. */
export const PRIORITY_COLOURS = { ROUTINE: 'gray', URGENT: 'orange', ASAP: 'red', STAT: 'red' } as const;
