// Which referral resources on /fhir a clinician may read: the ServiceRequest and Tasks of the
// referrals they can see through the API (the same sides rule), and of a ServiceRequest's versions
// only those from when they were entitled to it.
import type { Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { Caller } from '../identity/caller.js';
import { recordIdOf } from '../vocabulary/fhir-ids.js';
import { idIn } from '../vocabulary/references.js';
import { sidesOf } from './access.js';

/** The referral a mirrored ServiceRequest or Task belongs to, if it is one of ours. */
function referralIdOf(resource: Resource): number | undefined {
  if (resource.resourceType === 'ServiceRequest') return recordIdOf('referral', resource.id ?? '');
  const focus = resource.resourceType === 'Task' && idIn('ServiceRequest', resource.focus?.reference ?? '');
  return focus ? recordIdOf('referral', focus) : undefined;
}

/**
 * Keeps the resources the clinician may read; everything else is dropped. A version of a
 * ServiceRequest from while it was a draft is the referring side's alone: the receiving side sees a
 * referral from its send on, in its history too.
 */
export async function readableReferralResources<T extends Resource>(db: Kysely<Database>, caller: Caller, resources: T[]): Promise<T[]> {
  const ids = [...new Set(resources.map(referralIdOf).filter((id): id is number => id !== undefined))];
  if (ids.length === 0) return [];
  const referrals = await db.selectFrom('referral').selectAll().where('id', 'in', ids).execute();
  const sides = new Map(referrals.map((referral) => [referral.id, sidesOf(caller, referral)]));
  return resources.filter((resource) => {
    const sidesOfCaller = sides.get(referralIdOf(resource) ?? -1) ?? [];
    const draftVersion = resource.resourceType === 'ServiceRequest' && (resource as { status?: string }).status === 'draft';
    return draftVersion ? sidesOfCaller.includes('referring') : sidesOfCaller.length > 0;
  });
}
