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
  'referral.consent-withdrawn': 'The patient’s consent ended for some records',
  'referral.consent-restored': 'The patient’s consent is back',
  'attachment.add': 'File attached',
  'attachment.download': 'File opened',
  'task.note': 'Note added',
  'task.return-with-advice': 'Returned with advice',
};

/** A step the service refused, in words: the consent gate's refusals, mostly. */
const REFUSED: Record<string, string> = {
  'referral.send': 'Send refused: the patient’s consent was missing',
  'referral.redirect': 'Redirect refused: the patient’s consent was missing',
  'referral.forward': 'Forward refused: the patient’s consent was missing',
};

/** One line of a referral's history: what happened, in words; a move names where it went. */
export function happened(entry: AuditEntry, nameOf: (reference: string) => string = (reference) => reference): string {
  const detail = entry.detail as { to?: string | { receivingOrganisationId?: string }; reason?: string };
  if (entry.action === 'task.update' && typeof detail.to === 'string') return `Task: ${STANDING[detail.to]?.toLowerCase() ?? detail.to}`;
  if (entry.action === 'task.cancel') return 'Task cancelled';
  const words = HAPPENED[entry.action] ?? entry.action;
  const movedTo = typeof detail.to === 'object' ? detail.to.receivingOrganisationId : undefined;
  const said = movedTo ? `${words} to ${nameOf(movedTo)}` : words;
  return entry.outcome === 'success' ? said : (REFUSED[entry.action] ?? `${said} — refused`);
}

/** Who did something (an audit actor, a note's author): a clinician by name, the service's own watchers in words. */
export function whoDid(actor: string, nameOf: (reference: string) => string = (reference) => reference.replace(/^Practitioner\//, '')): string {
  if (actor.startsWith('practitioner:')) return nameOf(`Practitioner/${actor.slice('practitioner:'.length)}`);
  if (actor.startsWith('Practitioner/')) return nameOf(actor);
  if (actor.startsWith('system:')) return 'Referral Hub';
  return nameOf(`Practitioner/${actor}`);
}

/** A referral's priority as a badge colour: routine grey, urgent orange, ASAP and STAT red. */
export const PRIORITY_COLOURS = { ROUTINE: 'gray', URGENT: 'orange', ASAP: 'red', STAT: 'red' } as const;
