// Consent use cases: patients (or admins for them) grant and revoke per resource type; anyone
// allowed may ask whether a patient's consent permits sharing a type with a SMART client.
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { NotifiedCache } from '../../platform/notified-cache.js';
import { directoryRuleBroken, forbidden, notFound, validationFailed } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import type { ConsentGrantRow } from './tables.js';
import { appendAuditEvent } from '../audit/repo.js';
import { directoryLookup, type DirectoryLookup } from '../directory/lookup.js';
import { isFhirResourceType } from '../vocabulary/resource-types.js';
import { hasRole, toPatientReference, type Caller } from '../identity/caller.js';
import * as grants from './repo.js';
import type { ConsentGrantView, EvaluateInput, EvaluateResult, GrantConsentInput, ResourceTypeDecision } from './schemas.js';

type GrantSource = 'portal' | 'smart' | 'api';

export interface ConsentQuery {
  patientId: string;
  clientId: string;
  resourceTypes: string[];
}

export interface ConsentService {
  grantConsent(caller: Caller, input: GrantConsentInput, source?: GrantSource): Promise<ConsentGrantView[]>;
  listGrants(caller: Caller, filter: { patientId: string; clientId?: string; status?: string }): Promise<ConsentGrantView[]>;
  revokeGrant(caller: Caller, id: number): Promise<ConsentGrantView>;
  /** Decides each type: deny by default, permit only under an active grant covering now. */
  evaluate(query: ConsentQuery): Promise<EvaluateResult>;
  /** The types an active grant covers now, for a patient and an app. */
  consentedTypes(query: { patientId: string; clientId: string }): Promise<string[]>;
  evaluateFor(caller: Caller, input: EvaluateInput): Promise<EvaluateResult>;
  /** The patients and apps whose consent changed in a window of time (the referral side's consent watch). */
  changesBetween(window: ConsentWindow): Promise<ConsentChange[]>;
  /** Calls `listener` after each committed revocation (the SMART server revokes tokens it no longer covers). */
  onRevoked(listener: (grant: ConsentGrantView) => Promise<void>): void;
}

/** A window of time, its start excluded, its end included. */
export interface ConsentWindow {
  from: Date;
  to: Date;
}

/** A patient and an app whose consent changed: a grant made, revoked, starting or ending. */
export interface ConsentChange {
  patientId: string;
  clientId: string;
}

/** The channel on which every grant and revocation is announced, with the key of the patient and app it concerns. */
export const CONSENT_CHANGED = 'consent_changed';

/** A patient's active grants to an app, kept between requests (platform/notified-cache.ts), by `grantsKey`. */
export type ConsentCache = NotifiedCache<ConsentGrantRow[]>;

export const consentCache = (): ConsentCache => new NotifiedCache<ConsentGrantRow[]>();

const grantsKey = (patientId: string, clientId: string) => `${patientId}|${clientId}`;

/** The patient and app a CONSENT_CHANGED notice names. */
export function consentChangeNamed(payload: string): ConsentChange | undefined {
  const at = payload.indexOf('|');
  return at > 0 ? { patientId: payload.slice(0, at), clientId: payload.slice(at + 1) } : undefined;
}

/** Whether a clinician has a reason to ask about a patient's consent: a referral of theirs for the patient. */
export type ReferringClinicianCheck = (caller: Caller, patientId: string) => Promise<boolean>;

export function createConsentService(deps: {
  db: Kysely<Database>;
  clock: Clock;
  directory?: DirectoryLookup;
  refersPatient?: ReferringClinicianCheck;
  /** Keeps each patient's active grants to each app between decisions; told of every change here and by NOTIFY. */
  cache?: ConsentCache;
}): ConsentService {
  const { db, clock, cache } = deps;
  const directory = deps.directory ?? directoryLookup(db);

  /** A patient's active grants to an app: kept, or read once. */
  const activeGrants = (patientId: string, clientId: string) => {
    const load = () => grants.findActiveGrants(db, { patientId, clientId });
    return cache ? cache.get(grantsKey(patientId, clientId), load) : load();
  };

  /** Runs a change to a patient's grants to an app, announcing it with the change and forgetting what was kept once it commits. */
  async function changingGrants<T>(patientId: string, clientId: string, change: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    const key = grantsKey(patientId, clientId);
    try {
      return await db.transaction().execute(async (tx) => {
        const result = await change(tx);
        await sql`SELECT pg_notify(${CONSENT_CHANGED}, ${key})`.execute(tx);
        return result;
      });
    } finally {
      cache?.changed(key);
    }
  }

  async function grantConsent(caller: Caller, input: GrantConsentInput, source: GrantSource = 'api') {
    const patientId = toPatientReference(input.patientId);
    assertActsForPatient(caller, patientId);
    input.resourceTypes.forEach((type, index) => assertResourceType(type, `body.resourceTypes[${index}]`));
    const period = checkedPeriod(input.period);
    await assertRegisteredApp(directory, input.clientId);
    return changingGrants(patientId, input.clientId, async (tx) => {
      const created: ConsentGrantView[] = [];
      for (const resourceType of input.resourceTypes) {
        const row = await grants.insertGrant(tx, {
          patientId,
          clientId: input.clientId,
          resourceType,
          ...period,
          source,
          grantedBy: caller.sub,
          grantedAs: hasRole(caller, 'patient') ? 'patient' : 'administrator',
          createdAt: clock.now(),
        });
        await auditGrantChange(tx, caller, 'consent.grant', row);
        created.push(grants.toGrantView(row));
      }
      return created;
    });
  }

  async function listGrants(caller: Caller, filter: { patientId: string; clientId?: string; status?: string }) {
    const patientId = toPatientReference(filter.patientId);
    assertActsForPatient(caller, patientId);
    const rows = await grants.listGrants(db, { ...filter, patientId });
    return rows.map(grants.toGrantView);
  }

  const revokedListeners: ((grant: ConsentGrantView) => Promise<void>)[] = [];

  async function revokeGrant(caller: Caller, id: number) {
    const row = await grants.findGrant(db, id);
    if (!row || !actsForPatient(caller, row.patient_id)) throw notFound(`Consent grant ${id}`);
    const revoked = await changingGrants(row.patient_id, row.client_id, async (tx) => {
      const locked = (await grants.findGrant(tx, id, { forUpdate: true }))!;
      if (locked.status === 'revoked') return grants.toGrantView(locked);
      const revokedRow = await grants.markRevoked(tx, id, caller.sub, clock.now());
      await auditGrantChange(tx, caller, 'consent.revoke', revokedRow);
      return grants.toGrantView(revokedRow);
    });
    for (const listener of revokedListeners) await listener(revoked);
    return revoked;
  }

  async function evaluate(query: ConsentQuery): Promise<EvaluateResult> {
    const patientId = toPatientReference(query.patientId);
    const effective = grants.coveringAt(await activeGrants(patientId, query.clientId), clock.now());
    const decisions = query.resourceTypes.map((resourceType) =>
      decide(
        resourceType,
        effective.find((grant) => grant.resource_type === resourceType),
      ),
    );
    const permitted = decisions.every((decision) => decision.decision === 'permit');
    return { decision: permitted ? 'permit' : 'deny', patientId, clientId: query.clientId, decisions };
  }

  /**
   * Who may ask about a patient's consent: the patient, admins, the referral service, and clinicians
   * on the referring side of one of the patient's referrals. Anyone else learns nothing.
   */
  async function consentedTypes(query: { patientId: string; clientId: string }) {
    const effective = grants.coveringAt(await activeGrants(toPatientReference(query.patientId), query.clientId), clock.now());
    return [...new Set(effective.map((grant) => grant.resource_type))];
  }

  async function evaluateFor(caller: Caller, input: EvaluateInput) {
    const patientId = toPatientReference(input.patientId);
    const mayAsk =
      hasRole(caller, 'service', 'admin') ||
      (hasRole(caller, 'patient') && caller.patient === patientId) ||
      (hasRole(caller, 'clinician') && (await deps.refersPatient?.(caller, patientId)));
    if (!mayAsk) throw forbidden("Only the patient, an administrator, or a clinician referring this patient may ask about the patient's consent");
    const resourceTypes = [...new Set([...(input.resourceType ? [input.resourceType] : []), ...(input.resourceTypes ?? [])])];
    if (resourceTypes.length === 0) throw validationFailed('body.resourceTypes', 'name resourceType or resourceTypes');
    return evaluate({ patientId: input.patientId, clientId: input.clientId, resourceTypes });
  }

  async function changesBetween({ from, to }: ConsentWindow) {
    if (!(from < to)) throw validationFailed('query.from', 'must be before to');
    return grants.changedBetween(db, from, to);
  }

  async function auditGrantChange(tx: Kysely<Database>, caller: Caller, action: string, row: ConsentGrantRow) {
    await appendAuditEvent(tx, clock, {
      actor: caller.sub,
      action,
      outcome: 'success',
      entityType: 'ConsentGrant',
      entityId: row.id,
      chain: `consent:${row.patient_id}`,
      detail: { clientId: row.client_id, resourceType: row.resource_type, source: row.source },
    });
  }

  const onRevoked = (listener: (grant: ConsentGrantView) => Promise<void>) => void revokedListeners.push(listener);

  return { grantConsent, listGrants, revokeGrant, evaluate, consentedTypes, evaluateFor, changesBetween, onRevoked };
}

/** Consent is given to facility apps the directory knows, and only while they are active. */
async function assertRegisteredApp(directory: DirectoryLookup, clientId: string): Promise<void> {
  const app = await directory.app(clientId);
  if (!app)
    throw directoryRuleBroken(422, 'FACILITY_APP_NOT_REGISTERED', `clientId: ${clientId} is not a facility app registered with this hub`, 'body.clientId');
  if (!app.active)
    throw directoryRuleBroken(
      422,
      'FACILITY_APP_INACTIVE',
      `clientId: ${app.name} (${clientId}) has been deactivated and takes no new consent`,
      'body.clientId',
    );
}

function decide(resourceType: string, grant: ConsentGrantRow | undefined): ResourceTypeDecision {
  if (!grant) return { resourceType, decision: 'deny', grant: null, reason: 'No active consent covers this resource type' };
  return { resourceType, decision: 'permit', grant: grants.toGrantView(grant), reason: `Permitted by consent grant ${grant.id}` };
}

/** Patients act for themselves; admins for anyone. */
function actsForPatient(caller: Caller, patientId: string): boolean {
  return hasRole(caller, 'admin') || (hasRole(caller, 'patient') && caller.patient === patientId);
}

function assertActsForPatient(caller: Caller, patientId: string): void {
  if (!actsForPatient(caller, patientId)) {
    throw forbidden('Only the patient themselves or an administrator may manage this consent');
  }
}

function assertResourceType(type: string, field: string): void {
  if (!isFhirResourceType(type)) throw validationFailed(field, `"${type}" is not a FHIR R4 resource type`);
}

function checkedPeriod(period: GrantConsentInput['period']) {
  const periodStart = period?.start ?? null;
  const periodEnd = period?.end ?? null;
  if (periodStart && periodEnd && Date.parse(periodEnd) <= Date.parse(periodStart)) {
    throw validationFailed('body.period.end', 'must be after period.start');
  }
  return { periodStart, periodEnd };
}
