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
import { adviceSidesOf } from './advice-changes.js';

/** What an attachment is on: a referral or an advice request. */
interface AttachmentOwner {
  referral_id: number | null;
  advice_request_id: number | null;
}

/** The referral a mirrored resource belongs to, if it is one of ours; an attachment's is looked up in `owners`. */
function referralIdOf(resource: Resource, owners: Map<number, AttachmentOwner>): number | undefined {
  if (resource.resourceType === 'ServiceRequest') return recordIdOf('referral', resource.id ?? '');
  const attachment = attachmentIdOf(resource);
  if (attachment !== undefined) return owners.get(attachment)?.referral_id ?? undefined;
  const focus = resource.resourceType === 'Task' && idIn('ServiceRequest', resource.focus?.reference ?? '');
  return focus ? recordIdOf('referral', focus) : undefined;
}

const attachmentIdOf = (resource: Resource) =>
  resource.resourceType === 'DocumentReference' || resource.resourceType === 'Binary' ? recordIdOf('attachment', resource.id ?? '') : undefined;

/** What each attachment among `resources` is on, by attachment id. */
async function ownersOfAttachments(db: Kysely<Database>, resources: Resource[]): Promise<Map<number, AttachmentOwner>> {
  const ids = resources.map(attachmentIdOf).filter((id): id is number => id !== undefined);
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('attachment').select(['id', 'referral_id', 'advice_request_id']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Keeps the resources the clinician may read; everything else is dropped. A version of a
 * ServiceRequest from while it was a draft is the referring side's alone: the receiving side sees a
 * referral from its send on, in its history too.
 */
export async function readableReferralResources<T extends Resource>(db: Kysely<Database>, caller: Caller, resources: T[]): Promise<T[]> {
  const owners = await ownersOfAttachments(db, resources);
  const [ofReferrals, ofAdvice] = await Promise.all([readableOfReferrals(db, caller, resources, owners), readableOfAdvice(db, caller, resources, owners)]);
  return resources.filter((resource) => ofReferrals.has(resource) || ofAdvice.has(resource));
}

async function readableOfReferrals<T extends Resource>(
  db: Kysely<Database>,
  caller: Caller,
  resources: T[],
  owners: Map<number, AttachmentOwner>,
): Promise<Set<T>> {
  const referralOf = (resource: Resource) => referralIdOf(resource, owners);
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

/** The advice request a mirrored CommunicationRequest, Communication or attachment belongs to. */
function adviceRequestIdOf(resource: Resource, owners: Map<number, AttachmentOwner>): number | undefined {
  if (resource.resourceType === 'CommunicationRequest') return recordIdOf('advice', resource.id ?? '');
  const attachment = attachmentIdOf(resource);
  if (attachment !== undefined) return owners.get(attachment)?.advice_request_id ?? undefined;
  const basedOn = resource.resourceType === 'Communication' && idIn('CommunicationRequest', resource.basedOn?.[0]?.reference ?? '');
  return basedOn ? recordIdOf('advice', basedOn) : undefined;
}

/** Advice conversations are read by their two sides, as through the API. */
async function readableOfAdvice<T extends Resource>(
  db: Kysely<Database>,
  caller: Caller,
  resources: T[],
  owners: Map<number, AttachmentOwner>,
): Promise<Set<T>> {
  const adviceOf = (resource: Resource) => adviceRequestIdOf(resource, owners);
  const ids = [...new Set(resources.map(adviceOf).filter((id): id is number => id !== undefined))];
  if (ids.length === 0) return new Set();
  const requests = await db.selectFrom('advice_request').selectAll().where('id', 'in', ids).execute();
  const onSide = new Set(requests.filter((request) => adviceSidesOf(caller, request).length > 0).map((request) => request.id));
  return new Set(resources.filter((resource) => onSide.has(adviceOf(resource) ?? -1)));
}
