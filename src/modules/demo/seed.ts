// Demo data, loaded once per database in demo mode: the demo patient has consented to share
// Observation and DiagnosticReport with the cardiology app, but not Condition, so the guide's
// walkthrough meets the consent gate's 422 before the patient grants the rest.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/schema.js';
import { createConsentService } from '../consent/service.js';
import { hashPassword } from '../portal/passwords.js';
import { DEMO_IDENTITIES, DEMO_PATIENT } from './identities.js';

export const DEMO_CLIENT_ID = 'royal-london-cardiology-smart';

/** The cardiology unit's SMART app and the demo patient's portal account, once per database. */
export async function seedDemoPortal(db: Kysely<Database>, clock: Clock, patientPassword: string, publicBaseUrl = 'http://localhost:8080'): Promise<void> {
  const claimed = await db.insertInto('seed_run').values({ name: 'demo-portal', applied_at: clock.now() }).onConflict((c) => c.doNothing()).returning('name').executeTakeFirst();
  if (!claimed) return;
  await db
    .insertInto('smart_client')
    .values({
      client_id: DEMO_CLIENT_ID,
      name: 'Royal London Cardiology',
      organization_id: 'Organization/royal-london-cardiology',
      redirect_uris: [`${publicBaseUrl}/demo/smart-app/callback`],
      public_client: true,
      requested_resource_types: ['Observation', 'Condition', 'DiagnosticReport'],
    })
    .onConflict((c) => c.doNothing())
    .execute();
  await db.insertInto('patient_account').values({ username: 'patient', patient_id: DEMO_PATIENT, password_hash: await hashPassword(patientPassword) }).onConflict((c) => c.doNothing()).execute();
}

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
