// Demo data, loaded once per database in demo mode: the workflow guide's directory (three
// organisations, their practitioners and roles, the cardiology unit's SMART app and a second app of
// City Hospital's, an administrator), the demo patient's portal account, and their consent to share
// Observation and DiagnosticReport with the cardiology app, but not Condition — so the guide's
// walkthrough meets the consent gate's 422 before the patient grants the rest.
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import { createConsentService } from '../consent/service.js';
import { addAdministrator } from '../directory/administrators.js';
import { createDirectoryService } from '../directory/service.js';
import type { Caller } from '../identity/caller.js';
import { setPasswordWithLink } from '../directory/account-links.js';
import { createPatientAccountUseCases } from '../directory/patient-accounts.js';
import { directoryLookup } from '../directory/lookup.js';
import { setPractitionerPassword } from '../directory/practitioner-accounts.js';
import { DEMO_IDENTITIES, DEMO_PATIENT } from './identities.js';

export const DEMO_CLIENT_ID = 'royal-london-cardiology-smart';
const DEMO_CITY_CLIENT_ID = 'city-hospital-smart';
const SEEDER: Caller = { sub: 'demo-seed', roles: ['admin'] };

/** Claims a data set's name in seed_run; false when this database already has it. */
async function claimSeed(db: Kysely<Database>, clock: Clock, name: string): Promise<boolean> {
  const claimed = await db
    .insertInto('seed_run')
    .values({ name, applied_at: clock.now() })
    .onConflict((c) => c.doNothing())
    .returning('name')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** The demo directory, through the directory's own use cases (so it is audited like any other change). */
export async function seedDemoDirectory(db: Kysely<Database>, clock: Clock, publicBaseUrl: string): Promise<void> {
  if (!(await claimSeed(db, clock, 'demo-directory'))) return;
  const directory = createDirectoryService({ db, clock, publicBaseUrl });
  await addAdministrator(db, clock, 'admin', 'Demo administrator');
  const organizations = [
    { id: 'anytown-gp-practice', name: 'Anytown GP Practice' },
    { id: 'royal-london-cardiology', name: 'Royal London Hospital — Cardiology' },
    { id: 'city-hospital', name: 'City Hospital' },
  ];
  for (const organization of organizations) await directory.saveOrganization(SEEDER, organization);
  const practitioners = [
    { id: 'dr-smith', name: 'Dr Jane Smith', roles: [['anytown-gp-practice', 'referrer']] },
    {
      id: 'dr-patel',
      name: 'Dr Raj Patel',
      roles: [
        ['royal-london-cardiology', 'receiver'],
        ['royal-london-cardiology', 'referrer'],
      ],
    },
    {
      id: 'dr-other',
      name: 'Dr Sam Okafor',
      roles: [
        ['city-hospital', 'receiver'],
        ['city-hospital', 'referrer'],
      ],
    },
  ] as const;
  for (const { roles, ...practitioner } of practitioners) {
    await directory.savePractitioner(SEEDER, practitioner);
    for (const [organization, role] of roles) await directory.addRole(SEEDER, practitioner.id, { organization: `Organization/${organization}`, role });
  }
  const resourceTypes = ['Observation', 'Condition', 'DiagnosticReport'];
  const apps = [
    {
      clientId: DEMO_CLIENT_ID,
      name: 'Royal London Cardiology',
      organization: 'Organization/royal-london-cardiology',
      redirectUris: [`${publicBaseUrl}/demo/smart-app/callback`],
      resourceTypes,
    },
    {
      clientId: DEMO_CITY_CLIENT_ID,
      name: 'City Hospital Patient Record',
      organization: 'Organization/city-hospital',
      redirectUris: [`${publicBaseUrl}/demo/city-app/callback`],
      resourceTypes,
    },
  ];
  // A demo database from before the directory already has the cardiology app.
  const registered = new Set((await directoryLookup(db).allApps()).map((app) => app.clientId));
  for (const app of apps.filter((app) => !registered.has(app.clientId))) await directory.registerApp(SEEDER, app);
}

/** The demo patient's portal account, with the demo password, once per database: invited and enrolled as any patient is. */
export async function seedDemoPortal(db: Kysely<Database>, clock: Clock, patientPassword: string): Promise<void> {
  if (!(await claimSeed(db, clock, 'demo-portal'))) return;
  const accounts = createPatientAccountUseCases({ db, clock, publicBaseUrl: '' });
  const invited = await accounts.invitePatient(SEEDER, { username: 'patient', patientId: DEMO_PATIENT, name: 'Jordan Example' }).catch((error) => {
    if (error instanceof AppError && error.code === 'ALREADY_IN_DIRECTORY') return undefined; // a demo database from before seed_run
    throw error;
  });
  const token = invited && new URLSearchParams(invited.link!.url.split('?')[1]).get('token');
  if (token) await setPasswordWithLink({ db, clock }, token, patientPassword);
}

/** The demo clinicians' accounts for the web app, with the demo password, once per database. */
export async function seedDemoClinicians(db: Kysely<Database>, clock: Clock, password: string): Promise<void> {
  if (!(await claimSeed(db, clock, 'demo-clinicians'))) return;
  for (const practitioner of DEMO_CLINICIANS) await setPractitionerPassword(db, practitioner, password);
}

/** The demo practitioners who sign in to the web app. */
export const DEMO_CLINICIANS = ['dr-smith', 'dr-patel', 'dr-other'];

/** The demo patient's first consent grants, unless this database already has them; true when it loaded them now. */
export async function seedDemoData(db: Kysely<Database>, clock: Clock): Promise<boolean> {
  if (!(await claimSeed(db, clock, 'demo'))) return false;
  const consent = createConsentService({ db, clock });
  await consent.grantConsent(
    DEMO_IDENTITIES.patient!,
    { patientId: DEMO_PATIENT, clientId: DEMO_CLIENT_ID, resourceTypes: ['Observation', 'DiagnosticReport'] },
    'portal',
  );
  return true;
}
