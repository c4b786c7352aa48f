// What a FHIR Subscription with full-resource payloads is sent of a referral's event: its
// ServiceRequest and Task as they are now, only while one of the subscriber's organisations is party
// to the referral on its side (an organisation a referral has moved away from gets ids alone).
import type { Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { FocusReader } from '../notifications/subscriptions.js';
import type { MirrorSources } from '../vocabulary/record-sources.js';
import { partiesOf } from './notifications.js';

export function referralFocus(db: Kysely<Database>, sources: MirrorSources): FocusReader {
  return async (audiences, referralId, references) => {
    const referral = await db
      .selectFrom('referral')
      .select(['id', 'status', 'sending_organisation_id', 'performer_id', 'receiving_organisation_id'])
      .where('id', '=', referralId)
      .executeTakeFirst();
    if (!referral) return [];
    const parties = partiesOf(referral);
    const entitled = audiences.some((audience) => parties.some((party) => party.organisation === audience.organisation && party.side === audience.side));
    if (!entitled) return [];
    const found = await Promise.all(
      references.map(async (reference) => {
        const [type, id] = reference.split('/') as [string, string];
        return (await sources[type]?.([id]))?.get(id);
      }),
    );
    return found.filter((resource): resource is Resource => resource !== undefined);
  };
}
