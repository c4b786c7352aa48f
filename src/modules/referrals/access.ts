// Who may see and act on a referral: the referring side (the requester, and referrers of the sending
// organisation) and, once it is sent, the receiving side (receivers of the performer or the receiving
// organisation), roles as the directory has them. Others get 404, so that a referral's existence is
// not disclosed.
import { forbidden, notFound } from '../../platform/errors.js';
import type { ReferralRow } from './tables.js';
import { hasRole, organizationsWhere, type Caller } from '../identity/caller.js';

export type Side = 'referring' | 'receiving';

export function sidesOf(caller: Caller, referral: ReferralRow): Side[] {
  if (!hasRole(caller, 'clinician')) return [];
  const sides: Side[] = [];
  if (caller.fhirUser === referral.requester_id || organizationsWhere(caller, 'referrer').includes(referral.sending_organisation_id)) sides.push('referring');
  const receives = organizationsWhere(caller, 'receiver').some((org) => org === referral.performer_id || org === referral.receiving_organisation_id);
  if (receives && referral.status !== 'DRAFT') sides.push('receiving');
  return sides;
}

/** The referral if the caller may see it; 404 otherwise, including when it does not exist. */
export function visibleReferral(caller: Caller, referral: ReferralRow | undefined, id: number): ReferralRow {
  if (!referral || sidesOf(caller, referral).length === 0) throw notFound(`Referral ${id}`);
  return referral;
}

/** 403 unless the caller is on one of `sides` of a referral they can see. */
export function assertSide(caller: Caller, referral: ReferralRow, sides: Side[], action: string): void {
  if (!sidesOf(caller, referral).some((side) => sides.includes(side))) {
    throw forbidden(`Only the ${sides.join(' or ')} side may ${action} this referral`);
  }
}
