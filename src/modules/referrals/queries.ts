// Reading referrals: one referral (with its consent warnings), the caller's list, a facility's inbox,
// and a referral's audit history.
import { decodeCursor, pageOf } from '../../platform/cursor.js';
import { forbidden } from '../../platform/errors.js';
import { MAX_ROW_ID } from '../../platform/http-schemas.js';
import type { ReferralRow } from './tables.js';
import { listReferralAudit } from '../audit/repo.js';
import { organizationsWhere, requireRole, toPatientReference, type Caller } from '../identity/caller.js';
import { sidesOf, visibleReferral } from './access.js';
import { missingTypes, typesShared } from './sharing.js';
import { referralAsLeft } from './former-receivers.js';
import type { ReferralDeps } from './deps.js';
import * as referrals from './repo.js';
import type { InboxFilter, ListReferralsFilter, ReferralView } from './schemas.js';
import { OPEN_REFERRAL_STATUSES, type ReferralStatus } from './states.js';
import { toReferralView } from './views.js';

/** A page's size when the caller names none. */
export const DEFAULT_LIMIT = 20;

const isRowId = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_ROW_ID;
export const isIdPosition = (value: unknown): value is { id: number } => typeof value === 'object' && value !== null && isRowId((value as { id: unknown }).id);
/** A date the database can hold and a referral can be due at. */
export const isDueDate = (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));

const isInboxPosition = (value: unknown): value is referrals.InboxPosition => {
  if (!isIdPosition(value)) return false;
  const { rank, due } = value as { rank?: unknown; due?: unknown };
  return isRowId(rank) && isDueDate(due);
};

export function createQueryUseCases({ db, clock, consentGate }: ReferralDeps) {
  async function getReferral(caller: Caller, id: number): Promise<ReferralView> {
    const found = await referrals.findReferral(db, id);
    if (found && sidesOf(caller, found).length === 0) {
      const left = await referralAsLeft(db, caller, id, clock.now());
      if (left) return left;
    }
    const row = visibleReferral(caller, found, id) as NonNullable<typeof found>;
    return { ...seenView(caller, row), consentWarnings: await consentWarnings(row) };
  }

  /**
   * Shared types whose consent no longer holds. Revoking consent does not revoke a sent referral
   * (workflow guide), so the referring clinician is told instead; null when the gate cannot answer.
   */
  async function consentWarnings(row: ReferralRow & { attachments: number }): Promise<string[] | null> {
    if (!OPEN_REFERRAL_STATUSES.includes(row.status as ReferralStatus)) return [];
    try {
      const result = await consentGate.evaluate({
        patientId: row.patient_id,
        clientId: row.receiving_facility_client_id,
        resourceTypes: typesShared(row, row.attachments),
      });
      return missingTypes(result);
    } catch {
      return null;
    }
  }

  async function listReferrals(caller: Caller, filter: ListReferralsFilter) {
    requireRole(caller, 'clinician');
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const afterId = filter.cursor ? decodeCursor(filter.cursor, isIdPosition).id : undefined;
    const patientId = filter.patientId && toPatientReference(filter.patientId);
    const rows = await referrals.listVisibleReferrals(db, caller, { ...filter, patientId, afterId, limit });
    return pageOf(
      rows,
      limit,
      (row) => seenView(caller, row),
      (row) => ({ id: row.id }),
    );
  }

  async function inbox(caller: Caller, filter: InboxFilter) {
    requireRole(caller, 'clinician');
    const receivesFor = organizationsWhere(caller, 'receiver');
    if (!receivesFor.includes(filter.performerId)) {
      throw forbidden(`performerId must be an organisation you receive referrals for (${receivesFor.join(', ') || 'none'})`);
    }
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const after = filter.cursor ? decodeCursor(filter.cursor, isInboxPosition) : undefined;
    const patientId = filter.patientId && toPatientReference(filter.patientId);
    const rows = await referrals.listInbox(db, { ...filter, patientId, after, limit });
    return pageOf(
      rows,
      limit,
      (row) => seenView(caller, row),
      (row) => ({
        rank: row.priority_rank,
        due: row.response_due_at!.toISOString(),
        id: row.id,
      }),
    );
  }

  async function history(caller: Caller, id: number) {
    visibleReferral(caller, await referrals.findReferral(db, id), id);
    return listReferralAudit(db, id);
  }

  const seenView = (caller: Caller, row: referrals.SeenReferral) => toReferralView(row, clock.now(), { caller, task: row.current_task ?? undefined });

  return { getReferral, listReferrals, inbox, history };
}
