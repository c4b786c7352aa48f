// The directory's rules for a referral's parties, checked when a draft is created or edited and again
// when it is sent: who may draft for whom, and which organisations and facility app fit together. The
// consent gate evaluates exactly the app these rules settle on, so no send passes on consent given
// to another organisation's app.
import { directoryRuleBroken } from '../../platform/errors.js';
import type { DirectoryLookup, FacilityAppRecord, OrganizationRecord } from '../directory/lookup.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';
import type { ReferralRow } from './tables.js';

export interface ReferralParties {
  performerId: string;
  receivingOrganisationId: string;
  /** Omitted: the receiving organisation's one registered app. */
  receivingFacilityClientId?: string;
}

/** A referral's receiving parties as they stand. */
export function receivingPartiesOf(
  referral: Pick<ReferralRow, 'performer_id' | 'receiving_organisation_id' | 'receiving_facility_client_id'>,
): Required<ReferralParties> {
  return {
    performerId: referral.performer_id,
    receivingOrganisationId: referral.receiving_organisation_id,
    receivingFacilityClientId: referral.receiving_facility_client_id,
  };
}

/** The requester is the caller, and the sending organisation one where the caller holds the `referrer` role. */
export function assertDrafter(caller: Caller, draft: { requesterId?: string; sendingOrganisationId?: string }): void {
  if (draft.requesterId !== undefined && draft.requesterId !== caller.fhirUser) {
    throw directoryRuleBroken(
      403,
      'REQUESTER_NOT_CALLER',
      `requesterId must be you (${caller.fhirUser}): a referral cannot be drafted in another clinician's name`,
      'body.requesterId',
    );
  }
  if (draft.sendingOrganisationId !== undefined && !organizationsWhere(caller, 'referrer').includes(draft.sendingOrganisationId)) {
    const yours = organizationsWhere(caller, 'referrer');
    throw directoryRuleBroken(
      403,
      'NOT_A_REFERRER_OF_ORGANISATION',
      `sendingOrganisationId: you do not refer on behalf of ${draft.sendingOrganisationId}; you refer for ${yours.length > 0 ? yours.join(', ') : 'no organisation'}`,
      'body.sendingOrganisationId',
    );
  }
}

/**
 * Checks the receiving parties against the directory (one lookup) and returns the facility app the
 * consent gate must evaluate: the performer and the receiving organisation are active organisations, the
 * receiving organisation is the performer or its parent, and the app is an active app of the
 * receiving organisation (named, or its only one).
 */
export async function receivingApp(directory: DirectoryLookup, parties: ReferralParties): Promise<string> {
  const clientId = parties.receivingFacilityClientId;
  const found = await directory.receivingParties({ performer: parties.performerId, receiver: parties.receivingOrganisationId, clientId });
  const performer = activeOrganization(found.performer, parties.performerId, 'performerId');
  const receiver = activeOrganization(found.receiver, parties.receivingOrganisationId, 'receivingOrganisationId');
  if (receiver.reference !== performer.reference && receiver.reference !== performer.partOf) {
    throw directoryRuleBroken(
      422,
      'RECEIVING_ORGANISATION_MISMATCH',
      `receivingOrganisationId: ${receiver.name} is neither the performer (${performer.name}) nor the organisation it is part of`,
      'body.receivingOrganisationId',
    );
  }
  return clientId ? namedApp(found.apps[0], clientId, receiver) : onlyApp(found.apps, receiver);
}

function activeOrganization(organization: OrganizationRecord | undefined, reference: string, field: string): OrganizationRecord {
  if (!organization)
    throw directoryRuleBroken(422, 'ORGANISATION_NOT_IN_DIRECTORY', `${field}: ${reference} is not an organisation in the directory`, `body.${field}`);
  if (!organization.active)
    throw directoryRuleBroken(
      422,
      'ORGANISATION_INACTIVE',
      `${field}: ${organization.name} no longer takes referrals through this hub (deactivated)`,
      `body.${field}`,
    );
  return organization;
}

function namedApp(app: FacilityAppRecord | undefined, clientId: string, receiver: OrganizationRecord): string {
  const field = 'body.receivingFacilityClientId';
  if (!app)
    throw directoryRuleBroken(
      422,
      'FACILITY_APP_NOT_REGISTERED',
      `receivingFacilityClientId: ${clientId} is not a facility app registered with this hub`,
      field,
    );
  if (app.organization !== receiver.reference) {
    throw directoryRuleBroken(
      422,
      'FACILITY_APP_NOT_OF_RECEIVING_ORGANISATION',
      `receivingFacilityClientId: ${app.name} (${clientId}) belongs to ${app.organization}, not to ${receiver.name}; the patient's consent must be to the receiving organisation's own app`,
      field,
    );
  }
  if (!app.active) throw directoryRuleBroken(422, 'FACILITY_APP_INACTIVE', `receivingFacilityClientId: ${app.name} (${clientId}) has been deactivated`, field);
  return app.clientId;
}

function onlyApp(apps: FacilityAppRecord[], receiver: OrganizationRecord): string {
  const field = 'body.receivingFacilityClientId';
  if (apps.length === 0)
    throw directoryRuleBroken(
      422,
      'NO_FACILITY_APP',
      `receivingFacilityClientId: ${receiver.name} has no facility app registered, so no patient consent can be checked for it`,
      field,
    );
  if (apps.length > 1) {
    throw directoryRuleBroken(
      422,
      'FACILITY_APP_AMBIGUOUS',
      `receivingFacilityClientId: ${receiver.name} has several apps; name one of ${apps.map((app) => app.clientId).join(', ')}`,
      field,
    );
  }
  return apps[0]!.clientId;
}
