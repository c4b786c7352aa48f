// Mounts the SMART authorization server at /oauth, with its sign-in and consent screens, and serves
// /.well-known/smart-configuration. What the patient allows on the consent screen is recorded as
// consent grants (source `smart`) for that client, and the token's scopes are narrowed to it.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { VNode } from 'preact';
import type { Clock } from '../../platform/clock.js';
import { AppError, notFound } from '../../platform/errors.js';
import { errorHandler } from '../../platform/http-errors.js';
import { keepHeadersOnHijack } from '../../platform/security-headers.js';
import type { Interaction, KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../../database.js';
import type { ConsentGate } from '../consent/gate.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import { bareId, findAccount, patientCaller, type PatientAccount } from '../directory/accounts.js';
import { sendPage } from '../../platform/pages/page.js';
import { signInRefusal, throttledClinicianSignIn, throttledSignIn } from '../directory/sign-in-throttle.js';
import { CLINICIAN_SUBJECT_PREFIX } from '../directory/practitioner-accounts.js';
import { clinicianAccountRoutes } from './clinician-accounts.js';
import { CLINICIAN_API_SCOPE, CLINICIAN_APP_CLIENT_ID, isClinicianApp } from './clinician-app.js';
import { clinicianLoginPage, smartConsentPage, smartErrorPage, smartLoginPage } from './pages.js';
import { OAUTH_PREFIX, type SmartServer } from './provider.js';
import type { SmartAccess } from './access.js';
import { IDENTITY_SCOPES, narrowedScopes, requestedTypes } from './scopes.js';

type Form = Record<string, string | undefined>;
/** Identity scopes that stay off the FHIR token (`launch/patient` goes on both). */
const NOT_FOR_FHIR = ['openid', 'fhirUser', 'offline_access'];

export interface SmartRouteOptions {
  smart: SmartServer;
  db: Kysely<Database>;
  consent: ConsentGate;
  publicBaseUrl: string;
  clock: Clock;
  access: SmartAccess;
  directory: DirectoryLookup;
}

export async function smartRoutes(app: FastifyInstance, options: SmartRouteOptions): Promise<void> {
  const { smart } = options;
  smart.provider.use(withSmartTokenContext(options.db));
  smart.provider.use(withIntrospectionContext(options.db));
  smart.provider.use(endingLapsedConsent(options.access));
  app.get('/.well-known/smart-configuration', { schema: { hide: true } }, async () => smartConfiguration(smart, options.publicBaseUrl));
  await app.register(interactionRoutes, options);
  await app.register(clinicianAccountRoutes, { db: options.db, clock: options.clock });
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const callback = smart.provider.callback();
    const publicUrl = new URL(options.publicBaseUrl);
    scope.all(`${OAUTH_PREFIX}/*`, { schema: { hide: true } }, (request, reply) => {
      keepHeadersOnHijack(reply);
      reply.hijack();
      const raw = request.raw as typeof request.raw & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = raw.url!.slice(OAUTH_PREFIX.length) || '/';
      pinToPublicUrl(raw, publicUrl);
      callback(raw, reply.raw);
    });
  });
}

/**
 * The issuer and every URL the authorization server builds come from PUBLIC_BASE_URL, never from
 * what a request says its host is (the provider reads these forwarded headers, set here alone).
 */
function pinToPublicUrl(raw: FastifyRequest['raw'], publicUrl: URL): void {
  raw.headers.host = publicUrl.host;
  raw.headers['x-forwarded-host'] = publicUrl.host;
  raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
}

export function smartConfiguration(smart: SmartServer, publicBaseUrl: string) {
  return {
    issuer: smart.issuer,
    jwks_uri: `${smart.issuer}/jwks`,
    authorization_endpoint: `${smart.issuer}/auth`,
    token_endpoint: `${smart.issuer}/token`,
    introspection_endpoint: `${smart.issuer}/token/introspection`,
    revocation_endpoint: `${smart.issuer}/token/revocation`,
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [...IDENTITY_SCOPES, 'patient/*.read', 'patient/*.rs', 'patient/*.r', 'patient/*.s'],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'context-standalone-patient',
      'permission-patient',
      'permission-v1',
      'permission-v2',
      'sso-openid-connect',
    ],
    management_endpoint: `${publicBaseUrl}/consent/portal`,
  };
}

/**
 * A consent that has lapsed (its period ended) ends the tokens it covered, as a revocation does: an
 * introspected token it no longer covers is inactive, and a refresh it no longer covers is refused,
 * the grant and all its tokens revoked.
 */
function endingLapsedConsent(access: SmartAccess) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { active?: boolean; access_token?: string } | undefined;
    const introspected = ctx.path === '/token/introspection' && body?.active ? String(ctx.oidc?.params?.token ?? '') : undefined;
    const refreshed = ctx.path === '/token' && ctx.status === 200 && ctx.oidc?.params?.grant_type === 'refresh_token' ? body?.access_token : undefined;
    const context = (introspected || refreshed) && (await access.verify((introspected || refreshed)!));
    if (!context || (await access.stillConsented(context))) return;
    await access.revokeUnconsented(context.patient, context.clientId);
    if (introspected) ctx.body = { active: false };
    else {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: "The patient's consent for this app has ended" };
    }
  };
}

/** Introspection (RFC 7662) of an active token also names its patient and user. */
function withIntrospectionContext(db: Kysely<Database>) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { active?: boolean; sub?: string; patient?: string; fhirUser?: string } | undefined;
    if (ctx.path !== '/token/introspection' || !body?.active || !body.sub) return;
    const account = await findAccount(db, body.sub);
    if (account) Object.assign(body, { patient: bareId(account.patientId), fhirUser: account.patientId });
  };
}

/** SMART's token response carries the patient in context and every granted scope, identity ones included. */
function withSmartTokenContext(db: Kysely<Database>) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { access_token?: string; scope?: string; patient?: string } | undefined;
    if (ctx.path !== '/token' || ctx.status !== 200 || !body?.access_token) return;
    const token = await ctx.oidc.provider.AccessToken.find(body.access_token);
    const grant = token?.grantId ? await ctx.oidc.provider.Grant.find(token.grantId) : undefined;
    const account = token && (await findAccount(db, token.accountId));
    if (account) body.patient = bareId(account.patientId);
    const oidcScopes = grant?.getOIDCScope()?.split(' ').filter(Boolean) ?? [];
    body.scope = [...new Set([...oidcScopes, ...(body.scope ?? '').split(' ').filter(Boolean)])].join(' ');
  };
}

async function interactionRoutes(app: FastifyInstance, { smart, db, consent, publicBaseUrl, clock, directory }: SmartRouteOptions): Promise<void> {
  await app.register(formbody);
  const signInThrottled = throttledSignIn(db, clock);
  const clinicianSignInThrottled = throttledClinicianSignIn(db, clock);
  const publicUrl = new URL(publicBaseUrl);
  app.addHook('onRequest', async (request) => pinToPublicUrl(request.raw, publicUrl));
  const { provider, fhirBase } = smart;
  // Our sign-in and consent pages are a patient's pages: a failure on them is a page too, never JSON.
  app.setErrorHandler(errorHandler((error, _request, reply) => sendPage(reply, smartErrorPage(error), { status: error.status })));
  // A form here ends, after the provider's redirects, at the app's redirect URI: the page's policy allows it.
  const html = (reply: FastifyReply, status: number, page: VNode, details: Interaction) =>
    sendPage(reply, page, { status, formsLeadTo: [new URL(String(details.params.redirect_uri)).origin] });
  const clientOf = async (clientId: string) => {
    const client = await directory.app(clientId);
    if (!client) throw notFound(`App ${clientId}`);
    return client;
  };
  const finish = async (request: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) => {
    keepHeadersOnHijack(reply);
    reply.hijack();
    await provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: true });
  };

  /** A clinician signs in with their directory account; the app is the service's own, so nothing more is asked. */
  const clinicianSignIn = async (request: FastifyRequest, reply: FastifyReply, details: Interaction, form: Form) => {
    const answer = await clinicianSignInThrottled('clinician', form.username ?? '', form.password ?? '', request.ip);
    if ('account' in answer) return finish(request, reply, { login: { accountId: `${CLINICIAN_SUBJECT_PREFIX}${answer.account.username}` } });
    const refusal = signInRefusal(answer);
    if (refusal.retryAfterSeconds) reply.header('retry-after', String(refusal.retryAfterSeconds));
    return html(reply, refusal.status, clinicianLoginPage({ uid: details.uid, error: refusal.message }), details);
  };

  /** The clinician app's grant: who they are, /api, and a refresh token to renew its short-lived access tokens. */
  const clinicianGrant = async (details: Interaction) => {
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: CLINICIAN_APP_CLIENT_ID });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(smart.apiResource, CLINICIAN_API_SCOPE);
    return grant.save();
  };

  /** What the consent step works with: the signed-in patient, the app, the types it asks for and those already allowed. */
  const consentStep = async (details: Interaction) => {
    const account = await signedInAccount(db, details.session?.accountId);
    const client = await clientOf(String(details.params.client_id));
    const requested = String(details.params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const alreadyAllowed = new Set(await consent.consentedTypes({ patientId: account.patientId, clientId: client.clientId }));
    return { account, client, requested, types: requestedTypes(requested, client.requestedResourceTypes), alreadyAllowed };
  };

  app.get<{ Params: { uid: string } }>(`${OAUTH_PREFIX}/interaction/:uid`, { schema: { hide: true } }, async (request, reply) => {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    if (isClinicianApp(details.params.client_id)) {
      if (details.prompt.name === 'login') return html(reply, 200, clinicianLoginPage({ uid: details.uid }), details);
      return finish(request, reply, { consent: { grantId: await clinicianGrant(details) } });
    }
    if (details.prompt.name === 'login') {
      const client = await clientOf(String(details.params.client_id));
      return html(reply, 200, smartLoginPage({ uid: details.uid, appName: client.name }), details);
    }
    const { account, client, types, alreadyAllowed } = await consentStep(details);
    const choices = types.map((resourceType) => ({ resourceType, alreadyAllowed: alreadyAllowed.has(resourceType) }));
    const organization = (await directory.organization(client.organization))?.name ?? client.organization;
    const page = smartConsentPage({ uid: details.uid, appName: client.name, organization, greeting: account.greeting, types: choices });
    return html(reply, 200, page, details);
  });

  app.post<{ Params: { uid: string }; Body: Form }>(`${OAUTH_PREFIX}/interaction/:uid/login`, { schema: { hide: true } }, async (request, reply) => {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    const form = request.body ?? {};
    if (isClinicianApp(details.params.client_id)) return clinicianSignIn(request, reply, details, form);
    const answer = await signInThrottled('smart', form.username ?? '', form.password ?? '', request.ip);
    if (!('account' in answer)) {
      const client = await clientOf(String(details.params.client_id));
      const refusal = signInRefusal(answer);
      if (refusal.retryAfterSeconds) reply.header('retry-after', String(refusal.retryAfterSeconds));
      return html(reply, refusal.status, smartLoginPage({ uid: details.uid, appName: client.name, error: refusal.message }), details);
    }
    return finish(request, reply, { login: { accountId: answer.account.username } });
  });

  app.post<{ Params: { uid: string }; Body: Form }>(`${OAUTH_PREFIX}/interaction/:uid/consent`, { schema: { hide: true } }, async (request, reply) => {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    const { account, client, requested, types, alreadyAllowed } = await consentStep(details);
    const form = request.body ?? {};
    const allowed = types.filter((type) => form[`type:${type}`] === 'allow');
    const newlyAllowed = allowed.filter((type) => !alreadyAllowed.has(type));
    if (newlyAllowed.length > 0) {
      await consent.grantFromSmartSignIn(patientCaller('smart', account), {
        patientId: account.patientId,
        clientId: client.clientId,
        resourceTypes: newlyAllowed,
      });
    }

    const scopes = narrowedScopes(requested, allowed);
    const grant = new provider.Grant({ accountId: account.username, clientId: client.clientId });
    grant.addOIDCScope(scopes.filter((scope) => IDENTITY_SCOPES.includes(scope)).join(' '));
    if (scopes.includes('fhirUser')) grant.addOIDCClaims(['fhirUser']);
    grant.addResourceScope(fhirBase, scopes.filter((scope) => !NOT_FOR_FHIR.includes(scope)).join(' '));
    const refused = requested.filter((scope) => !scopes.includes(scope));
    if (refused.length > 0) grant.rejectResourceScope(fhirBase, refused.join(' '));
    return finish(request, reply, { consent: { grantId: await grant.save() } });
  });
}

/** The account the authorization server's session signed in. */
async function signedInAccount(db: Kysely<Database>, accountId: string | undefined): Promise<PatientAccount> {
  const account = accountId ? await findAccount(db, accountId) : undefined;
  if (!account) throw new AppError(400, 'NOT_SIGNED_IN', 'Sign in before choosing what to share: start again from the app');
  return account;
}
