// Which referral resources on /fhir a clinician may read: the ServiceRequest, Tasks and attachments
// (DocumentReference and Binary) of the referrals they can see through the API (the same sides rule),
// and of a ServiceRequest's versions only those from when they were entitled to it.
import type { Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { Caller } from '../identity/caller.js';
import { recordIdOf } from '../vocabulary/fhir-ids.js';
import { idIn } from '../vocabulary/references.js';
import { sidesOf } from './access.js';
import { adviceSidesOf } from './advice.js';

/** The referral a mirrored resource belongs to, if it is one of ours; an attachment's is looked up in `attachedTo`. */
function referralIdOf(resource: Resource, attachedTo: Map<number, number>): number | undefined {
  if (resource.resourceType === 'ServiceRequest') return recordIdOf('referral', resource.id ?? '');
  const attachment = attachmentIdOf(resource);
  if (attachment !== undefined) return attachedTo.get(attachment);
  const focus = resource.resourceType === 'Task' && idIn('ServiceRequest', resource.focus?.reference ?? '');
  return focus ? recordIdOf('referral', focus) : undefined;
}

const attachmentIdOf = (resource: Resource) =>
  resource.resourceType === 'DocumentReference' || resource.resourceType === 'Binary' ? recordIdOf('attachment', resource.id ?? '') : undefined;

/** The referral of each attachment among `resources`, by attachment id. */
async function referralsOfAttachments(db: Kysely<Database>, resources: Resource[]): Promise<Map<number, number>> {
  const ids = resources.map(attachmentIdOf).filter((id): id is number => id !== undefined);
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('attachment').select(['id', 'referral_id']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.referral_id]));
}

/**
 * Keeps the resources the clinician may read; everything else is dropped. A version of a
 * ServiceRequest from while it was a draft is the referring side's alone: the receiving side sees a
 * referral from its send on, in its history too.
 */
export async function readableReferralResources<T extends Resource>(db: Kysely<Database>, caller: Caller, resources: T[]): Promise<T[]> {
  const [ofReferrals, ofAdvice] = await Promise.all([readableOfReferrals(db, caller, resources), readableOfAdvice(db, caller, resources)]);
  return resources.filter((resource) => ofReferrals.has(resource) || ofAdvice.has(resource));
}

async function readableOfReferrals<T extends Resource>(db: Kysely<Database>, caller: Caller, resources: T[]): Promise<Set<T>> {
  const attachedTo = await referralsOfAttachments(db, resources);
  const referralOf = (resource: Resource) => referralIdOf(resource, attachedTo);
  const ids = [...new Set(resources.map(referralOf).filter((id): id is number => id !== undefined))];
  if (ids.length === 0) return new Set();
  const referrals = await db.selectFrom('referral').selectAll().where('id', 'in', ids).execute();
  const sides = new Map(referrals.map((referral) => [referral.id, sidesOf(caller, referral)]));
  const readable = resources.filter((resource) => {
    const sidesOfCaller = sides.get(referralOf(resource) ?? -1) ?? [];
    const draftVersion = resource.resourceType === 'ServiceRequest' && (resource as { status?: string }).status === 'draft';
    return draftVersion ? sidesOfCaller.includes('referring') : sidesOfCaller.length > 0;
  });
  return new Set(readable);
}

/** The advice request a mirrored CommunicationRequest or Communication belongs to. */
function adviceRequestIdOf(resource: Resource): number | undefined {
  if (resource.resourceType === 'CommunicationRequest') return recordIdOf('advice', resource.id ?? '');
  const basedOn = resource.resourceType === 'Communication' && idIn('CommunicationRequest', resource.basedOn?.[0]?.reference ?? '');
  return basedOn ? recordIdOf('advice', basedOn) : undefined;
}

/** Advice conversations are read by their two sides, as through the API. */
async function readableOfAdvice<T extends Resource>(db: Kysely<Database>, caller: Caller, resources: T[]): Promise<Set<T>> {
  const ids = [...new Set(resources.map(adviceRequestIdOf).filter((id): id is number => id !== undefined))];
  if (ids.length === 0) return new Set();
  const requests = await db.selectFrom('advice_request').selectAll().where('id', 'in', ids).execute();
  const onSide = new Set(requests.filter((request) => adviceSidesOf(caller, request).length > 0).map((request) => request.id));
  return new Set(resources.filter((resource) => onSide.has(adviceRequestIdOf(resource) ?? -1)));
}
