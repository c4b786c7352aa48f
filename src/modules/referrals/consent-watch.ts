// Telling a sent referral's parties when the patient's consent to share one of its types with the
// receiving app ends — revoked, or its period over — and when it is back. Each change of consent is
// looked at twice over: at once, for the patient and app it names (NOTIFY, or this process's own
// revocation), and again in the watch's next window of time, which also finds grants whose period
// ended. A referral is told through its one write path (changes.ts), audited and notified, only when
// what is missing differs from what it was last told (`consent_lost`), so looking again is harmless.
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { coalesced } from '../../platform/coalesced.js';
import type { Database } from '../../database.js';
import { pendingAuditEvent } from '../audit/repo.js';
import type { ConsentGate } from '../consent/gate.js';
import type { ConsentChange } from '../consent/service.js';
import { changeReferral } from './changes.js';
import type { ReferralChange, ReferralState } from './change-repo.js';
import { decisionSummary, missingTypes, typesShared } from './sharing.js';
import { OPEN_REFERRAL_STATUSES } from './states.js';

/** Who tells the parties (the audit's actor). */
const WATCH_ACTOR = 'system:consent-watch';
/**
 * How far each window reaches back before the last: a change is stamped with its time before its
 * transaction commits, so one committed late still falls in a window.
 */
const OVERLAP_MS = 10_000;

/** Nothing to tell: what is missing is what the parties were last told. */
class NothingToTell extends Error {}

export interface ConsentWatchOptions {
  db: Kysely<Database>;
  clock: Clock;
  consentGate: ConsentGate;
  /** How often the watch looks at the next window of time. */
  tickMs: number;
  onError?: (message: string) => void;
}

export function createConsentWatch({ db, clock, consentGate, tickMs, onError }: ConsentWatchOptions) {
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> = Promise.resolve();

  /** The change telling the referral's parties what is missing now, or NothingToTell. */
  async function judgeConsent(state: ReferralState | undefined): Promise<ReferralChange> {
    const referral = state?.referral;
    if (!referral || !OPEN_REFERRAL_STATUSES.includes(referral.status as never)) throw new NothingToTell();
    const clientId = referral.receiving_facility_client_id;
    const consent = await consentGate.evaluate({ patientId: referral.patient_id, clientId, resourceTypes: typesShared(referral, state.attachments) });
    const missing = missingTypes(consent);
    const withdrawn = missing.filter((type) => !referral.consent_lost.includes(type));
    const restored = referral.consent_lost.filter((type) => !missing.includes(type));
    if (withdrawn.length === 0 && restored.length === 0) throw new NothingToTell();
    const told = (action: string, resourceTypes: string[]) =>
      pendingAuditEvent(clock, {
        actor: WATCH_ACTOR,
        action,
        outcome: 'success',
        entityType: 'Referral',
        entityId: referral.id,
        referralId: referral.id,
        detail: { clientId, resourceTypes, consent: decisionSummary(consent) },
      });
    return {
      referral: { consent_lost: JSON.stringify(missing) },
      events: [
        ...(withdrawn.length > 0 ? [told('referral.consent-withdrawn', withdrawn)] : []),
        ...(restored.length > 0 ? [told('referral.consent-restored', restored)] : []),
      ],
    };
  }

  /** Looks at one referral's consent, telling its parties of any change. */
  async function recheckReferral(id: number): Promise<void> {
    await changeReferral(db, clock, id, judgeConsent).catch((error: unknown) => {
      if (!(error instanceof NothingToTell)) throw error;
    });
  }

  /** Looks at every open referral of a patient to an app. */
  async function recheck({ patientId, clientId }: ConsentChange): Promise<void> {
    const open = await db
      .selectFrom('referral')
      .select('id')
      .where('patient_id', '=', patientId)
      .where('receiving_facility_client_id', '=', clientId)
      .where('status', 'in', OPEN_REFERRAL_STATUSES)
      .execute();
    for (const { id } of open) await recheckReferral(id);
  }

  /** Looks at the changes of consent since the last window, then moves the watch past them. */
  const lookAtNextWindow = coalesced(async () => {
    const to = clock.now();
    const { checked_until: last } = await db.selectFrom('consent_watch').select('checked_until').executeTakeFirstOrThrow();
    const from = new Date(last.getTime() - OVERLAP_MS);
    if (!(from < to)) return;
    for (const change of await consentGate.changesBetween({ from, to })) await recheck(change);
    await db
      .updateTable('consent_watch')
      .set({ checked_until: sql`greatest(checked_until, ${to})` })
      .execute();
  });

  const report = (error: unknown) => onError?.(`consent watch: ${error instanceof Error ? error.message : String(error)}`);

  return {
    /** Looks at once at a patient's referrals to an app whose consent has just changed. */
    changed: (change: ConsentChange) => recheck(change).catch(report),
    lookAtNextWindow: () => lookAtNextWindow(),
    start() {
      timer ??= setInterval(() => void (looking = lookAtNextWindow().catch(report)), tickMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await looking;
    },
  };
}

export type ConsentWatch = ReturnType<typeof createConsentWatch>;
