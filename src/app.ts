// Builds the Fastify app from a config and its shared resources (database, clock, keys, consent gate).
// server.ts listens; tests build the same app on their own database.
import './platform/node-globals.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import secureJson from 'secure-json-parse';
import type { Config, ModuleName } from './config.js';
import { httpConsentGate, inProcessConsentGate, type ConsentGate } from './modules/consent/gate.js';
import { consentRoutes } from './modules/consent/routes.js';
import { CONSENT_CHANGED, consentCache, consentChangeNamed, createConsentService, type ConsentService } from './modules/consent/service.js';
import { demoSmartAppRoutes } from './modules/demo/smart-app.js';
import { auditMirrorSources } from './modules/audit/fhir-resources.js';
import { consentMirrorSources } from './modules/consent/fhir-resources.js';
import type { FhirBackend } from './modules/fhir/backend.js';
import { embeddedFhirBackend } from './modules/fhir/embedded-backend.js';
import { fhirRoutes } from './modules/fhir/routes.js';
import { upstreamFhirBackend } from './modules/fhir/upstream-backend.js';
import { healthRoutes } from './modules/health/routes.js';
import { clinicianAppRoutes } from './platform/clinician-app.js';
import { landingPage, type Entrance } from './platform/pages/landing.js';
import { sendPage } from './platform/pages/page.js';
import { directoryFhirReads } from './modules/directory/fhir.js';
import { directoryLookup, type DirectoryLookup } from './modules/directory/lookup.js';
import { DIRECTORY_CHANGED, directoryCache } from './modules/directory/directory-cache.js';
import type { NotifiedCache } from './platform/notified-cache.js';
import { directoryNetwork } from './modules/directory/network.js';
import { directoryRoutes } from './modules/directory/routes.js';
import { createDirectoryService } from './modules/directory/service.js';
import { outboxRoutes } from './modules/mirror/routes.js';
import { portalRoutes } from './modules/portal/routes.js';
import { smartAccess } from './modules/smart/access.js';
import { accessTokenCache, SMART_TOKENS_CHANGED } from './modules/smart/adapter.js';
import { createSmartServer, OAUTH_PREFIX } from './modules/smart/provider.js';
import { CLINICIAN_APP_CLIENT_ID, OWN_SIGN_IN_PLACE } from './modules/smart/clinician-app.js';
import { smartConfiguration, smartRoutes } from './modules/smart/routes.js';
import { createMirrorWorker, type MirrorWorker } from './modules/mirror/worker.js';
import { authenticate } from './modules/identity/plugin.js';
import { ownTokens } from './modules/identity/service-token.js';
import { externalClinicianProvider } from './modules/identity/external-clinicians.js';
import { createTokenVerifier, type TokenVerifier, type TrustedIssuer } from './modules/identity/tokens.js';
import { refersPatient } from './modules/referrals/consent-askers.js';
import { readableReferralResources } from './modules/referrals/fhir-access.js';
import { referralMirrorSources } from './modules/referrals/mirror-sources.js';
import { referralRoutes } from './modules/referrals/routes.js';
import { attachmentRoutes } from './modules/referrals/attachment-routes.js';
import { adviceRoutes } from './modules/referrals/advice-routes.js';
import { createNotificationFeed, NOTIFICATION_EVENTS, type NotificationFeed } from './modules/notifications/feed.js';
import { createWebhookAdmin } from './modules/notifications/webhook-admin.js';
import { webhookRoutes } from './modules/notifications/webhook-routes.js';
import { createWebhookWorker } from './modules/notifications/webhooks.js';
import type { EndpointWorker } from './modules/notifications/endpoint-worker.js';
import { createSubscriptions } from './modules/notifications/subscriptions.js';
import { createSubscriptionWorker } from './modules/notifications/subscription-worker.js';
import { subscriptionRoutes } from './modules/notifications/subscription-routes.js';
import { referralFocus } from './modules/referrals/subscription-focus.js';
import { notificationRoutes } from './modules/notifications/routes.js';
import { databaseAttachmentStore } from './modules/referrals/attachment-store.js';
import { createReferralService } from './modules/referrals/service.js';
import { createConsentWatch, type ConsentWatch } from './modules/referrals/consent-watch.js';
import type { Clock } from './platform/clock.js';
import type { DatabaseHandle } from './database.js';
import { AppError } from './platform/errors.js';
import { renderApiError } from './platform/http-errors.js';
import { generateSigningJwk, importSigningKey, SIGNING_ALG, type SigningKey } from './platform/keys.js';
import type { Database } from './database.js';
import { describeOperations, namedComponents } from './platform/openapi.js';
import { limitRequests } from './platform/rate-limit.js';
import { securityHeaders } from './platform/security-headers.js';
import { refuseUnstorableText } from './platform/text-guard.js';
import { createValidatorCompiler } from './platform/validation.js';

export interface AppResources {
  config: Config;
  db: Kysely<Database>;
  engine: string;
  clock: Clock;
  signingKey: SigningKey;
  /** The authorization server's id_token key, apart from the API tokens' (a new one per process when absent). */
  oidcSigningKey?: SigningKey;
  /** Follows NOTIFY on the database (DatabaseHandle.listen): without it, nothing of the directory is kept between requests. */
  listen?: DatabaseHandle['listen'];
  /** Overrides the gate the config would choose; for tests that compare gates. */
  consentGate?: ConsentGate;
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
}

declare module 'fastify' {
  interface FastifyInstance {
    consentGate: ConsentGate;
    fhirBackend: FhirBackend;
    mirrorWorker: MirrorWorker;
    webhookWorker: EndpointWorker;
    subscriptionWorker: EndpointWorker;
    consentWatch: ConsentWatch;
  }
}

export async function buildApp(resources: AppResources): Promise<FastifyInstance> {
  const { config, db, clock, signingKey } = resources;
  const app = Fastify({
    logger: resources.logger ?? { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    trustProxy: config.trustProxy,
  });
  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(renderApiError);
  app.setNotFoundHandler((request, reply) =>
    renderApiError(new AppError(404, 'NOT_FOUND', `${request.method} ${request.url.split('?')[0]} is not a route of this API`), request, reply),
  );
  acceptEmptyJsonBodies(app);
  await securityHeaders(app);
  app.addHook('onResponse', logRequest);
  app.addHook('preValidation', refuseUnstorableText);

  describeOperations(app);
  await app.register(swagger, {
    transformObject: (documents) => namedComponents((documents as { openapiObject: object }).openapiObject as never),
    openapi: {
      info: { title: 'Referral Hub', version: '0.1.0', description: 'Consent-gated clinical referrals for SMART on FHIR ecosystems' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // The documentation is never framed, and served over plain HTTP on a workstation it still loads.
    transformStaticCSP: (policy) => policy.replace(/frame-ancestors [^;]+/, "frame-ancestors 'none'").replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  const serves = (module: ModuleName) => config.modules.includes(module);
  const directoryKept = directoryCache();
  if (resources.listen) followChanges(app, resources.listen, DIRECTORY_CHANGED, directoryKept);
  const directory = directoryLookup(db, directoryKept);
  const grantsKept = consentCache();
  if (resources.listen) followChanges(app, resources.listen, CONSENT_CHANGED, grantsKept);
  const consentService = createConsentService({ db, clock, directory, refersPatient: refersPatient(db), cache: grantsKept });
  const consentGate = resources.consentGate ?? chooseConsentGate(resources, consentService);
  app.decorate('consentGate', consentGate);
  const oidcSigningKey = resources.oidcSigningKey ?? (await importSigningKey(await generateSigningJwk()));
  // /api also takes the access tokens the authorization server gives the clinician app.
  const clinicianTokens: TrustedIssuer = {
    issuer: `${config.publicBaseUrl}${OAUTH_PREFIX}`,
    key: oidcSigningKey.publicKey,
    algorithms: [SIGNING_ALG],
    audience: config.jwt.audience,
    typ: 'at+jwt',
    clientId: CLINICIAN_APP_CLIENT_ID,
  };
  // Or the ones of the external provider they sign in at, when one is configured.
  const externalClinicians = config.clinicianOidc && externalClinicianProvider(config.clinicianOidc);
  const verifyToken = createTokenVerifier(config.jwt, signingKey, clock, [clinicianTokens, ...(externalClinicians ? [externalClinicians.trusted] : [])]);
  const feed = serves('referrals') ? notificationFeed(app, resources) : undefined;
  const fhirBackend = feed ? await referralSide(app, resources, { directory, consentService, consentGate, verifyToken, feed, oidcSigningKey }) : undefined;
  await app.register(healthRoutes, { db, engine: resources.engine, mirrorTarget: fhirBackend && (config.fhirUpstream ? 'upstream' : 'embedded') });
  if (serves('consent')) await app.register(portalRoutes, { db, clock, consent: consentService, directory });
  app.get('/', { schema: { hide: true } }, (_request, reply) => sendPage(reply, landingPage(entrances(serves))));
  const signInPlace = externalClinicians ? externalClinicians.signInPlace : async () => OWN_SIGN_IN_PLACE;
  if (serves('referrals')) await app.register(clinicianAppRoutes, { signInPlace });

  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(verifyToken, directory));
      await limitRequests(api, db, 'api', config.rateLimitPerMinute);
      if (serves('consent')) await api.register(consentRoutes, { service: consentService });
      if (serves('referrals')) {
        await api.register(outboxRoutes, { db });
        const changed = () => directoryKept.changed();
        const directoryService = createDirectoryService({ db, clock, publicBaseUrl: config.publicBaseUrl, changed });
        await api.register(directoryRoutes, { service: directoryService, readNetwork: directoryNetwork(db) });
        const attachments = databaseAttachmentStore(db);
        const service = createReferralService({ db, clock, consentGate, directory, responseDueHours: config.responseDueHours, attachments });
        await api.register(referralRoutes, { service });
        await api.register(attachmentRoutes, { service, maxBytes: config.attachmentMaxBytes });
        await api.register(adviceRoutes, { service });
        await api.register(notificationRoutes, { db, feed: feed!, heartbeatMs: config.eventsHeartbeatMs });
        await api.register(webhookRoutes, { admin: createWebhookAdmin({ db, clock, directory }) });
        const webhooks = createWebhookWorker({ db, clock, ...config.webhooks, onError: (message) => app.log.warn(message) });
        app.decorate('webhookWorker', webhooks);
        deliverWhileRunning(app, webhooks, feed!);
      }
    },
    { prefix: '/api' },
  );
  return app;
}

/**
 * What the referral side serves besides /api/referrals: the SMART authorization server (facility
 * apps reading referred patients' records), /fhir with live consent enforcement through the consent
 * gate (over HTTP when consent runs as its own service), and the FHIR mirror. Returns the FHIR backend.
 */
async function referralSide(
  app: FastifyInstance,
  resources: AppResources,
  deps: {
    directory: DirectoryLookup;
    consentService: ConsentService;
    consentGate: ConsentGate;
    verifyToken: TokenVerifier;
    feed: NotificationFeed;
    oidcSigningKey: SigningKey;
  },
): Promise<FhirBackend> {
  const { config, db, clock } = resources;
  const { directory, consentService, consentGate, verifyToken } = deps;
  const fhirBackend = config.fhirUpstream ? upstreamFhirBackend(config.fhirUpstream, clock) : embeddedFhirBackend(db, `${config.publicBaseUrl}/fhir`);
  const accessTokens = accessTokenCache();
  if (resources.listen) followChanges(app, resources.listen, SMART_TOKENS_CHANGED, accessTokens);
  const smart = createSmartServer({
    db,
    directory,
    accessTokens,
    publicBaseUrl: config.publicBaseUrl,
    apiAudience: config.jwt.audience,
    signingKey: deps.oidcSigningKey,
  });
  const access = smartAccess({ smart, db, consent: consentGate, directory, clock });
  consentService.onRevoked((grant) => access.revokeUnconsented(grant.patientId, grant.clientId));
  watchConsent(app, resources, consentGate, consentService);
  await app.register(smartRoutes, { smart, db, clock, consent: consentGate, access, directory, publicBaseUrl: config.publicBaseUrl });
  if (config.demo) await app.register(demoSmartAppRoutes, { publicBaseUrl: config.publicBaseUrl });
  startFhirMirror(app, resources, fhirBackend);
  const fhirBaseUrl = `${config.publicBaseUrl}/fhir`;
  const focus = referralFocus(db, referralMirrorSources(db, config.publicBaseUrl));
  const subscriptions = createSubscriptions({ db, clock, directory, fhirBaseUrl, focus });
  const subscriptionWorker = createSubscriptionWorker({ db, clock, fhirBaseUrl, focus, ...config.webhooks, onError: (message) => app.log.warn(message) });
  app.decorate('subscriptionWorker', subscriptionWorker);
  deliverWhileRunning(app, subscriptionWorker, deps.feed);
  await app.register(fhirRoutes, {
    moreRoutes: subscriptionRoutes(subscriptions, fhirBaseUrl),
    prefix: '/fhir',
    backend: fhirBackend,
    authenticate: authenticate(verifyToken, directory),
    directory: {
      read: directoryFhirReads(db, config.publicBaseUrl).read,
      organizationOfApp: async (clientId) => (await directory.app(clientId))?.organization,
    },
    readableByClinician: (caller, found) => readableReferralResources(db, caller, found),
    smartConfiguration: smartConfiguration(smart, config.publicBaseUrl),
    smartAccess: access,
    limitRequests: (scope) => limitRequests(scope, db, 'fhir', config.rateLimitPerMinute),
  });
  return fhirBackend;
}

/** Keeps `cache`'s answers between requests only while the changes any process announces on `channel` are heard (a payload names the key changed). */
function followChanges(
  app: FastifyInstance,
  listen: DatabaseHandle['listen'],
  channel: string,
  cache: Pick<NotifiedCache<unknown>, 'changed' | 'hearing'>,
): void {
  let stop: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    stop = await listen(
      channel,
      (payload) => cache.changed(payload || undefined),
      (live) => cache.hearing(live),
    );
  });
  app.addHook('onClose', async () => stop?.());
}

/** This process's feed of events, sequenced and its readers woken whenever any process records some. */
function notificationFeed(app: FastifyInstance, { db, listen }: AppResources) {
  const feed = createNotificationFeed(db);
  let stop: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    feed.start();
    if (listen)
      stop = await listen(
        NOTIFICATION_EVENTS,
        () => void feed.wake(),
        () => void feed.wake(),
      );
  });
  app.addHook('onClose', async () => {
    await stop?.();
    await feed.stop();
  });
  return feed;
}

/** Works `worker`'s endpoints (webhooks, FHIR Subscriptions) while the app runs, as soon as events are sequenced. */
function deliverWhileRunning(app: FastifyInstance, worker: EndpointWorker, feed: NotificationFeed): void {
  let stopFollowing: (() => void) | undefined;
  app.addHook('onReady', async () => {
    worker.start();
    stopFollowing = feed.onEvents(() => void worker.deliverDue());
  });
  app.addHook('onClose', async () => {
    stopFollowing?.();
    await worker.stop();
  });
}

/**
 * Tells open referrals' parties when the consent they rely on ends or is back: at once for a change
 * any process announces (this process's own revocations, without NOTIFY), and in each window of time
 * after, which also finds grants whose period ended.
 */
function watchConsent(app: FastifyInstance, { db, clock, config, listen }: AppResources, consentGate: ConsentGate, consentService: ConsentService): void {
  const watch = createConsentWatch({ db, clock, consentGate, tickMs: config.consentWatchMs, onError: (message) => app.log.warn(message) });
  app.decorate('consentWatch', watch);
  if (!listen) consentService.onRevoked((grant) => watch.changed(grant));
  let stop: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    watch.start();
    if (listen)
      stop = await listen(
        CONSENT_CHANGED,
        (payload) => {
          const change = consentChangeNamed(payload);
          if (change) void watch.changed(change);
        },
        () => undefined,
      );
  });
  app.addHook('onClose', async () => {
    await stop?.();
    await watch.stop();
  });
}

/** Delivers referral, task, audit and consent records to the FHIR server while the app runs. */
function startFhirMirror(app: FastifyInstance, resources: AppResources, target: FhirBackend): void {
  const { db, config } = resources;
  const baseUrl = config.publicBaseUrl;
  const sources = { ...referralMirrorSources(db, baseUrl), ...auditMirrorSources(db, baseUrl), ...consentMirrorSources(db, baseUrl) };
  const worker = createMirrorWorker({
    db,
    sources,
    target,
    pollMs: config.mirror.pollMs,
    retryMaxMs: config.mirror.retryMaxMs,
    onError: (message) => app.log.warn(message),
  });
  app.decorate('fhirBackend', target);
  app.decorate('mirrorWorker', worker);
  if (config.mirror.enabled) app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', async () => worker.stop());
}

/**
 * One line per request: method, route pattern, status and duration. Paths carry patient ids, query
 * strings reasons and headers tokens, so the line has the route's pattern, never the URL.
 */
async function logRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  request.log.info(
    { method: request.method, route: request.routeOptions.url ?? 'no route', status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
    'request',
  );
}

function chooseConsentGate(resources: AppResources, service: ReturnType<typeof createConsentService>): ConsentGate {
  const { config, signingKey, clock } = resources;
  if (!config.consentUrl) return inProcessConsentGate(service);
  return httpConsentGate(config.consentUrl, ownTokens(signingKey, config.jwt, clock));
}

/** Action endpoints (send, hold…) take an optional body: `Content-Type: application/json` with none is fine. */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, null);
    try {
      done(null, secureJson.parse(body as string, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new AppError(400, 'VALIDATION_FAILED', 'body: is not valid JSON', { field: 'body' }), undefined);
    }
  });
}

/** Where each kind of visitor goes from `/`; an entrance of a part this process does not serve is left out. */
const ENTRANCES: Array<Entrance & { servedBy?: ModuleName }> = [
  { href: '/app/', title: 'Referral Hub for clinicians', who: 'For GPs and specialists: sign in to send, receive and follow referrals', servedBy: 'referrals' },
  {
    href: '/consent/portal',
    title: 'Your consent portal',
    who: 'For patients: choose which hospital and practice apps may read your records',
    servedBy: 'consent',
  },
  { href: '/docs', title: 'API documentation', who: 'For developers and integrators: the REST API, with every request and answer described' },
  {
    href: '/fhir/metadata',
    title: 'FHIR R4 endpoint',
    who: 'For FHIR systems: referrals as ServiceRequest and Task, with SMART App Launch',
    servedBy: 'referrals',
  },
  { href: '/health', title: 'Service health', who: 'For operators: the database, the FHIR mirror and the outbox' },
];

function entrances(serves: (module: ModuleName) => boolean): Entrance[] {
  return ENTRANCES.filter(({ servedBy }) => !servedBy || serves(servedBy)).map(({ servedBy: _, ...entrance }) => entrance);
}
