// /consent/portal: where patients sign in and allow or revoke, per resource type, each facility
// app's access to their records. Grants are recorded through the consent service (source `portal`),
// so they are audited and mirrored like any other. Sessions are HttpOnly SameSite cookies (Secure
// over TLS); every form carries a CSRF token (csrf.ts).
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { VNode } from 'preact';
import type { Clock } from '../../platform/clock.js';
import { AppError, validationFailed } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import { recentReadsOf } from '../audit/access-log.js';
import type { ConsentService } from '../consent/service.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import type { Caller } from '../identity/caller.js';
import { accountLinkRoutes } from './account-routes.js';
import {
  accountLinkPages,
  loginPage,
  PATIENT_ACCOUNT_LINKS,
  PORTAL,
  portalErrorPage,
  portalPage,
  readsPage,
  revokeConfirmPage,
  unknownAppPage,
  type AppAccess,
  type ReadShown,
} from './pages.js';
import { errorHandler } from '../../platform/http-errors.js';
import { sendPage } from '../../platform/pages/page.js';
import { patientCaller } from '../directory/accounts.js';
import { signInRefusal, throttledSignIn } from '../directory/sign-in-throttle.js';
import { protectPortalForms } from './csrf.js';
import { endSession, findSession, SESSION_HOURS, startSession, type PortalSession } from './sessions.js';

const SESSION_COOKIE = 'rh_portal';
/** How many of the latest reads of their records the portal shows a patient; the reads page shows more. */
const RECENT_READS = 5;
const READS_PAGE = 200;

type Form = Record<string, string | undefined>;
const CLIENT_ID = /^[A-Za-z0-9._:/-]{1,200}$/;
const GRANT_ID = /^[1-9][0-9]{0,8}$/;

/** A form field as the API would accept it, or 400 naming it. */
function checkedForm(form: Form, field: string, pattern: RegExp): string {
  const value = form[field] ?? '';
  if (!pattern.test(value)) throw validationFailed(`form.${field}`, 'is not valid');
  return value;
}

export interface PortalOptions {
  db: Kysely<Database>;
  clock: Clock;
  consent: ConsentService;
  directory: DirectoryLookup;
}

export async function portalRoutes(app: FastifyInstance, { db, clock, consent, directory }: PortalOptions): Promise<void> {
  await app.register(cookie);
  await app.register(formbody);
  await protectPortalForms(app, PORTAL);
  const cookieOptions = (request: FastifyRequest) => ({ path: PORTAL, httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' });
  const session = (request: FastifyRequest) => findSession(db, request.cookies[SESSION_COOKIE], clock.now());
  const html = (reply: FastifyReply, status: number, page: VNode) => sendPage(reply, page, { status });
  // A refusal or failure on these pages is a page too, never JSON.
  app.setErrorHandler(errorHandler((error, _request, reply) => html(reply, error.status, portalErrorPage(error))));
  const backToPortal = (reply: FastifyReply, clientId?: string) =>
    reply.redirect(clientId ? `${PORTAL}?client_id=${encodeURIComponent(clientId)}` : PORTAL, 303);

  const showLogin = (reply: FastifyReply, status: number, clientId?: string, error?: string) =>
    html(reply, status, loginPage({ csrfToken: reply.generateCsrf(), clientId, error }));

  await accountLinkRoutes(app, {
    db,
    clock,
    kind: 'patient',
    html,
    pages: accountLinkPages(PATIENT_ACCOUNT_LINKS),
    csrf: { protect: app.csrfProtection, token: (reply) => reply.generateCsrf() },
  });
  const signInThrottled = throttledSignIn(db, clock);

  app.get<{ Querystring: { client_id?: string } }>(PORTAL, { schema: { hide: true } }, async (request, reply) => {
    const clientId = request.query.client_id || undefined;
    if (clientId && !(await directory.app(clientId))?.active) return html(reply, 404, unknownAppPage(clientId));
    const current = await session(request);
    if (!current) return showLogin(reply, 200, clientId);
    return html(reply, 200, await showPortal(reply, current, { focusClientId: clientId }));
  });

  /** The signed-in patient's portal: every app with each type's state, and who read their records lately. */
  const showPortal = async (reply: FastifyReply, current: PortalSession, shown: { focusClientId?: string; error?: string }) => {
    const [apps, reads] = await Promise.all([facilityApps(directory, consent, current), readsOf(current, RECENT_READS)]);
    return portalPage({ ...shown, greeting: current.greeting, csrfToken: reply.generateCsrf(), apps: focusFirst(apps, shown.focusClientId), reads });
  };

  /** The latest reads of the patient's records, each with its app's and organisation's names. */
  const readsOf = async (current: PortalSession, limit: number): Promise<ReadShown[]> => {
    const reads = await recentReadsOf(db, current.patientId, limit);
    const apps = new Map(
      await Promise.all(
        [...new Set(reads.map((read) => read.clientId))].map(async (clientId) => {
          const app = await directory.app(clientId);
          const organization = app && (await directory.organization(app.organization))?.name;
          return [clientId, { app: app?.name ?? 'An app no longer registered', organization: organization ?? '' }] as const;
        }),
      ),
    );
    return reads.map(({ clientId, ...read }) => ({ ...read, ...apps.get(clientId)! }));
  };

  /** A page only a signed-in patient sees; the sign-in form otherwise. */
  const signedInPage =
    (page: (current: PortalSession, request: FastifyRequest<{ Querystring: Form }>, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest<{ Querystring: Form }>, reply: FastifyReply) => {
      const current = await session(request);
      if (!current) return showLogin(reply, 401, undefined, 'Please sign in again.');
      return page(current, request, reply);
    };

  app.get<{ Querystring: Form }>(
    `${PORTAL}/reads`,
    { schema: { hide: true } },
    signedInPage(async (current, _request, reply) =>
      html(reply, 200, readsPage({ greeting: current.greeting, csrfToken: reply.generateCsrf(), reads: await readsOf(current, READS_PAGE) })),
    ),
  );

  /** Asks before revoking: the grant named, what stops and what does not. */
  app.get<{ Querystring: Form }>(
    `${PORTAL}/revoke`,
    { schema: { hide: true } },
    signedInPage(async (current, request, reply) => {
      const grantId = Number(checkedForm(request.query, 'grant_id', GRANT_ID));
      const apps = await facilityApps(directory, consent, current);
      for (const app of apps) {
        const type = app.types.find(({ grant }) => grant?.id === grantId);
        if (type) {
          const confirm = { csrfToken: reply.generateCsrf(), clientId: app.clientId, grantId, appName: app.name, organization: app.organization };
          return html(reply, 200, revokeConfirmPage({ ...confirm, resourceType: type.resourceType }));
        }
      }
      return backToPortal(reply, request.query.client_id);
    }),
  );

  app.post<{ Body: Form }>(`${PORTAL}/login`, { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    const form = request.body ?? {};
    const clientId = form.client_id || undefined;
    const answer = await signInThrottled('portal', form.username ?? '', form.password ?? '', request.ip);
    if (!('account' in answer)) {
      const refusal = signInRefusal(answer);
      if (refusal.retryAfterSeconds) reply.header('retry-after', String(refusal.retryAfterSeconds));
      return showLogin(reply, refusal.status, clientId, refusal.message);
    }
    const id = await startSession(db, answer.account, clock.now());
    reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions(request), maxAge: SESSION_HOURS * 3600 });
    return backToPortal(reply, clientId);
  });

  /** A form of a signed-in patient: needs the session (its CSRF token is checked before, by the route's preHandler). */
  const signedInForm =
    (handler: (current: PortalSession, form: Form, caller: Caller) => Promise<string | undefined>) =>
    async (request: FastifyRequest<{ Body: Form }>, reply: FastifyReply) => {
      const current = await session(request);
      const form = request.body ?? {};
      if (!current) return showLogin(reply, 401, form.client_id, 'Please sign in again.');
      try {
        return backToPortal(reply, await handler(current, form, patientCaller('portal', current)));
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return html(reply, error.status, await showPortal(reply, current, { error: refusalForPatient(error) }));
      }
    };

  app.post<{ Body: Form }>(
    `${PORTAL}/grant`,
    { schema: { hide: true }, preHandler: app.csrfProtection },
    signedInForm(async (current, form, caller) => {
      const clientId = checkedForm(form, 'client_id', CLIENT_ID);
      const resourceType = form.resource_type ?? '';
      const active = await consent.listGrants(caller, { patientId: current.patientId, clientId, status: 'active' });
      if (!active.some((grant) => grant.resourceType === resourceType)) {
        await consent.grantConsent(caller, { patientId: current.patientId, clientId, resourceTypes: [resourceType] }, 'portal');
      }
      return clientId;
    }),
  );

  app.post<{ Body: Form }>(
    `${PORTAL}/revoke`,
    { schema: { hide: true }, preHandler: app.csrfProtection },
    signedInForm(async (_current, form, caller) => {
      await consent.revokeGrant(caller, Number(checkedForm(form, 'grant_id', GRANT_ID)));
      return form.client_id;
    }),
  );

  app.post<{ Body: Form }>(`${PORTAL}/logout`, { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    await endSession(db, request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: PORTAL });
    return backToPortal(reply);
  });
}

/** Every active facility app and every app the patient has granted something, with each type's state. */
async function facilityApps(directory: DirectoryLookup, consent: ConsentService, session: PortalSession): Promise<AppAccess[]> {
  const grants = await consent.listGrants(patientCaller('portal', session), { patientId: session.patientId, status: 'active' });
  const granted = new Set(grants.map((grant) => grant.clientId));
  const clients = (await directory.allApps()).filter((client) => client.active || granted.has(client.clientId));
  const known = new Set(clients.map((client) => client.clientId));
  const unregistered = [...granted].filter((id) => !known.has(id));
  const organizationName = async (reference: string) => (await directory.organization(reference))?.name ?? reference;
  const apps = [
    ...(await Promise.all(
      clients.map(async (client) => ({
        clientId: client.clientId,
        name: client.name,
        organization: await organizationName(client.organization),
        requested: client.requestedResourceTypes,
      })),
    )),
    ...unregistered.map((clientId) => ({ clientId, name: clientId, organization: 'Not registered with this hub', requested: [] as string[] })),
  ];
  return apps.map(({ requested, ...app }) => {
    const granted = grants.filter((grant) => grant.clientId === app.clientId);
    const types = [...new Set([...requested, ...granted.map((grant) => grant.resourceType)])];
    return {
      ...app,
      types: types.map((resourceType) => {
        const grant = granted.find((g) => g.resourceType === resourceType);
        return {
          resourceType,
          ...(grant && { grant: { id: grant.id, since: grant.createdAt, source: grant.source, ...(grant.period?.end && { until: grant.period.end }) } }),
        };
      }),
    };
  });
}

/** What a patient is told when the portal cannot do what they asked. */
function refusalForPatient(error: AppError): string {
  if (error.code === 'FACILITY_APP_INACTIVE' || error.code === 'FACILITY_APP_NOT_REGISTERED')
    return 'That app no longer takes new permissions, so nothing was changed. You can still revoke what it already has.';
  return 'That could not be done, and nothing was changed. Please reload the page and try again.';
}

function focusFirst(apps: AppAccess[], clientId?: string): AppAccess[] {
  return clientId ? [...apps.filter((app) => app.clientId === clientId), ...apps.filter((app) => app.clientId !== clientId)] : apps;
}
