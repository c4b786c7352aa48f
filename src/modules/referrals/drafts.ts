// Drafting referrals: create (optionally idempotent) and edit while still a draft. No consent check
// runs here; it runs when the draft is sent.
import type { Kysely } from 'kysely';
import { validationFailed } from '../../platform/errors.js';
import { claimKey, findStoredResponse, idempotentRequest, storeResponse } from '../../platform/idempotency.js';
import type { Database } from '../../database.js';
import type { NewReferralRow, ReferralRow } from './tables.js';
import { assertIfMatch } from '../../platform/versioning.js';
import { pendingAuditEvent, type AuditEventInput } from '../audit/repo.js';
import { isFhirResourceType } from '../vocabulary/resource-types.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { visibleReferral } from './access.js';
import { currentTask, permitAction } from './actions.js';
import { assertDrafter, receivingApp } from './bindings.js';
import { changeReferral } from './changes.js';
import type { Outcome, ReferralDeps } from './deps.js';
import * as referrals from './repo.js';
import type { CreateReferralInput, EditReferralInput, ReferralView } from './schemas.js';
import { toReferralView } from './views.js';

export function createDraftUseCases({ db, clock, directory }: ReferralDeps) {
  async function createReferral(caller: Caller, input: CreateReferralInput, idempotencyKey?: string): Promise<Outcome<ReferralView>> {
    const keyed = idempotencyKey ? idempotentRequest(caller.sub, 'referral.create', idempotencyKey, input) : undefined;
    const stored = keyed && (await findStoredResponse(db, keyed));
    if (stored) return stored as Outcome<ReferralView>;
    const draft = await prepareDraft(caller, input);
    if (!keyed) return created(await insertDraft(db, caller, draft), caller);
    const outcome = await db.transaction().execute(async (tx) => {
      if (!(await claimKey(tx, keyed, clock.now()))) return undefined;
      const result = created(await insertDraft(tx, caller, draft), caller);
      await storeResponse(tx, keyed, result);
      return result;
    });
    return outcome ?? ((await findStoredResponse(db, keyed)) as Outcome<ReferralView>);
  }

  /**
   * The row of a new draft, its parties bound by the directory, ready to insert; `adviceRequestId`
   * names the advice request it is converted from.
   */
  async function prepareDraft(caller: Caller, input: CreateReferralInput, adviceRequestId?: number): Promise<NewReferralRow> {
    requireRole(caller, 'clinician');
    assertDrafter(caller, input);
    assertResourceTypes(input.sharedResourceTypes);
    const bound = { ...input, requesterId: input.requesterId ?? caller.fhirUser!, receivingFacilityClientId: await receivingApp(directory, input) };
    return {
      ...(columnsOf(bound) as NewReferralRow),
      status: 'DRAFT',
      advice_request_id: adviceRequestId ?? null,
      created_by: caller.sub,
      created_at: clock.now(),
      updated_at: clock.now(),
    };
  }

  /** The draft under an id drawn first, with the first event of its audit chain, in one statement. */
  async function insertDraft(executor: Kysely<Database>, caller: Caller, draft: NewReferralRow): Promise<ReferralRow> {
    const id = await referrals.reserveReferralId(executor);
    const created = await referrals.writeCreate(executor, id, draft, pendingAuditEvent(clock, draftAudit(caller, id, 'referral.create', { status: 'DRAFT' })));
    if (!created) throw new Error(`The audit chain of referral ${id} existed before the referral`);
    return created;
  }

  const created = (row: ReferralRow, caller: Caller): Outcome<ReferralView> => ({ statusCode: 201, body: toReferralView(row, clock.now(), { caller }) });

  async function editDraft(caller: Caller, id: number, input: EditReferralInput, ifMatch?: string): Promise<ReferralView> {
    assertDrafter(caller, input);
    if (input.sharedResourceTypes) assertResourceTypes(input.sharedResourceTypes);
    const edited = await changeReferral(db, clock, id, async (state) => {
      const row = visibleReferral(caller, state?.referral, id);
      permitAction(caller, 'edit', { referral: row, task: currentTask(state!.tasks) }, () => assertIfMatch(ifMatch, row.version));
      const receivingFacilityClientId = await receivingApp(directory, editedParties(row, input));
      return {
        referral: columnsOf({ ...input, receivingFacilityClientId }),
        events: [pendingAuditEvent(clock, draftAudit(caller, id, 'referral.edit', { changedFields: Object.keys(input) }))],
      };
    });
    return toReferralView(edited.referral, clock.now(), { caller });
  }

  return { createReferral, editDraft, prepareDraft, insertDraft, viewOf: created };
}

function draftAudit(caller: Caller, referralId: number, action: string, detail: Record<string, unknown>): AuditEventInput {
  return { actor: caller.sub, action, outcome: 'success', entityType: 'Referral', entityId: referralId, referralId, detail };
}

/** The receiving parties after an edit: a new receiving organisation without a named app takes its own app. */
function editedParties(row: ReferralRow, input: EditReferralInput) {
  const receivingOrganisationId = input.receivingOrganisationId ?? row.receiving_organisation_id;
  const movedReceiver = receivingOrganisationId !== row.receiving_organisation_id;
  return {
    performerId: input.performerId ?? row.performer_id,
    receivingOrganisationId,
    receivingFacilityClientId: input.receivingFacilityClientId ?? (movedReceiver ? undefined : row.receiving_facility_client_id),
  };
}

export function assertResourceTypes(types: string[]): void {
  types.forEach((type, index) => {
    if (!isFhirResourceType(type)) throw validationFailed(`body.sharedResourceTypes[${index}]`, `"${type}" is not a FHIR R4 resource type`);
  });
}

/** Maps the guide's fields to columns; only the fields present in `input`. */
function columnsOf(input: EditReferralInput) {
  const columns: referrals.ReferralPatch = {
    patient_id: input.patientId,
    requester_id: input.requesterId,
    performer_id: input.performerId,
    receiving_facility_client_id: input.receivingFacilityClientId,
    referral_code: input.referralCode,
    referral_display: input.referralDisplay,
    priority: input.priority,
    reason_codes: input.reasonCodes && JSON.stringify(input.reasonCodes),
    clinical_note: input.clinicalNote,
    shared_resource_types: input.sharedResourceTypes && JSON.stringify(input.sharedResourceTypes),
    occurrence_date: input.occurrenceDate,
    sending_organisation_id: input.sendingOrganisationId,
    receiving_organisation_id: input.receivingOrganisationId,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined)) as referrals.ReferralPatch;
}
