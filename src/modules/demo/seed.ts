// Demo data, loaded once per database in demo mode: the demo patient has consented to share
// Observation and DiagnosticReport with the cardiology app, but not Condition, so the guide's
// walkthrough meets the consent gate's 422 before the patient grants the rest.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/schema.js';
import { createConsentService } from '../consent/service.js';
import { DEMO_IDENTITIES, DEMO_PATIENT } from './identities.js';

export const DEMO_CLIENT_ID = 'royal-london-cardiology-smart';

/** Loads the demo data unless this database already has it; true when it loaded it now. */
export async function seedDemoData(db: Kysely<Database>, clock: Clock): Promise<boolean> {
  const claimed = await db
    .insertInto('seed_run')
    .values({ name: 'demo', applied_at: clock.now() })
    .onConflict((conflict) => conflict.doNothing())
    .returning('name')
    .executeTakeFirst();
  if (!claimed) return false;
  const consent = createConsentService({ db, clock });
  await consent.grantConsent(
    DEMO_IDENTITIES.patient!,
    { patientId: DEMO_PATIENT, clientId: DEMO_CLIENT_ID, resourceTypes: ['Observation', 'DiagnosticReport'] },
    'portal',
  );
  return true;
}
