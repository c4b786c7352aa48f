// /clinicians/account: where a practitioner opens the one-time link an administrator gave them and
// sets the password they sign in to the clinician app with. Setting it ends their sign-ins to this
// authorization server — its sessions, grants, codes and refresh tokens — in the same transaction.
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { sendPage } from '../../platform/pages/page.js';
import type { Database } from '../../database.js';
import type { LinkedAccount } from '../directory/account-links.js';
import { CLINICIAN_SUBJECT_PREFIX } from '../directory/practitioner-accounts.js';
import { accountLinkRoutes } from '../portal/account-routes.js';
import { accountLinkPages, type AccountLinkAudience } from '../portal/pages.js';
import { deleteSignInsOf } from './adapter.js';

const CLINICIAN_ACCOUNT_LINKS: AccountLinkAudience = {
  place: 'Referral Hub for clinicians',
  action: '/clinicians/account',
  welcome: 'Welcome to Referral Hub',
  afterwards: 'You can now sign in to send and answer referrals.',
  signIn: { href: '/app/', label: 'Sign in to Referral Hub' },
  askFor: 'your organisation’s Referral Hub administrator',
};

/** Ends every sign-in of a practitioner to the authorization server, inside `tx`. */
async function endClinicianSignIns(tx: Kysely<Database>, account: LinkedAccount): Promise<void> {
  if (account.kind === 'practitioner') await deleteSignInsOf(tx, `${CLINICIAN_SUBJECT_PREFIX}${account.practitionerId}`);
}

export async function clinicianAccountRoutes(app: FastifyInstance, { db, clock }: { db: Kysely<Database>; clock: Clock }): Promise<void> {
  await app.register(formbody);
  await accountLinkRoutes(app, {
    db,
    clock,
    kind: 'practitioner',
    pages: accountLinkPages(CLINICIAN_ACCOUNT_LINKS),
    html: (reply, status, page) => sendPage(reply, page, { status }),
    endSignIns: endClinicianSignIns,
  });
}
