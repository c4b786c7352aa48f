// Who on the referral side has a reason to ask about a patient's consent: a clinician on the
// referring side of one of the patient's referrals (its requester, or a referrer of its sending
// organisation) — the one who must get consent before sending.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { organizationsWhere, type Caller } from '../identity/caller.js';

export function refersPatient(db: Kysely<Database>) {
  return async (caller: Caller, patientId: string): Promise<boolean> => {
    const found = await db
      .selectFrom('referral')
      .select('id')
      .where('patient_id', '=', patientId)
      .where((eb) =>
        eb.or([
          eb('requester_id', '=', caller.fhirUser ?? ''),
          eb('sending_organisation_id', '=', sql<string>`ANY(${organizationsWhere(caller, 'referrer')}::text[])`),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    return found !== undefined;
  };
}
