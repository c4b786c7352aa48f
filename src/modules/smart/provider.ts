// The SMART App Launch 2 authorization server: oidc-provider, configured for standalone patient
// launch — authorization code with PKCE (S256 only, always required), `aud` that must name our FHIR
// base, SMART scopes narrowed at the consent screen to what the patient allowed, opaque access
// tokens for the FHIR endpoint, refresh tokens with offline_access, introspection and revocation.
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../../database.js';
import type { DirectoryLookup } from '../directory/lookup.js';
import type { SigningKey } from '../../platform/keys.js';
import { findAccount } from '../directory/accounts.js';
import { smartStore, type AccessTokenCache, type SmartStore } from './adapter.js';
import { CLINICIAN_API_SCOPE, CLINICIAN_TOKEN_SECONDS, clinicianAppClient, clinicianOf, clinicianTokenClaims, isClinicianApp } from './clinician-app.js';
import { publicClientRefresh } from './public-refresh.js';
import { readForm, replayForm } from './request-form.js';
import { allPatientScopes, expandWildcardScopes, parsePatientScope } from './scopes.js';

export interface SmartServerOptions {
  db: Kysely<Database>;
  directory: DirectoryLookup;
  publicBaseUrl: string;
  /** The audience of the access tokens for /api the clinician app receives. */
  apiAudience: string;
  signingKey: SigningKey;
  /** Keeps access tokens between /fhir reads (adapter.ts); the app tells it of other processes' changes. */
  accessTokens?: AccessTokenCache;
}

export interface SmartServer {
  provider: Provider;
  store: SmartStore;
  issuer: string;
  fhirBase: string;
  /** The resource indicator of /api, for the clinician app. */
  apiResource: string;
}

export const OAUTH_PREFIX = '/oauth';

export function createSmartServer({ db, directory, publicBaseUrl, apiAudience, signingKey, accessTokens }: SmartServerOptions): SmartServer {
  const issuer = `${publicBaseUrl}${OAUTH_PREFIX}`;
  const fhirBase = `${publicBaseUrl}/fhir`;
  const apiResource = `${publicBaseUrl}/api`;
  const patientScopes = allPatientScopes();
  const store = smartStore(db, directory, accessTokens);
  const configuration: Configuration = {
    adapter: store.Adapter,
    clients: [clinicianAppClient(publicBaseUrl)],
    jwks: { keys: [signingKey.privateJwk as never] },
    cookies: { keys: [createHmac('sha256', String(signingKey.privateJwk.d)).update('oauth-cookies').digest('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'fhirUser', 'launch/patient'],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    // SMART: the request's `aud` must be the FHIR base the app means to read — on every path into the
    // authorization endpoint, pushed (PAR) or not.
    extraParams: {
      aud: async (ctx, aud) => {
        // A pushed request's `aud` was checked when it was pushed; loaded again, its request object's
        // own `aud` claim (the issuer) stands in its place.
        if (ctx.oidc.entities.PushedAuthorizationRequest || isClinicianApp(ctx.oidc.client?.clientId)) return;
        if (aud !== fhirBase) throw new errors.InvalidRequest(`aud must be this server's FHIR base URL, ${fhirBase}`);
      },
      launch: async () => {},
    },
    clientAuthMethods: ['none', 'client_secret_basic'],
    interactions: { url: (_ctx, interaction) => `${OAUTH_PREFIX}/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const clinician = await clinicianOf(db, sub);
      if (clinician) return { accountId: sub, claims: async () => ({ sub, fhirUser: clinician.practitionerId }) };
      const account = await findAccount(db, sub);
      return account && { accountId: account.username, claims: async () => ({ sub: account.username, fhirUser: account.patientId }) };
    },
    extraTokenClaims: (_ctx, token) => clinicianTokenClaims(db, token as { accountId?: string; kind: string }),
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    features: {
      devInteractions: { enabled: false },
      // A client may introspect the tokens issued to it; /fhir checks tokens in-process.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx) => (isClinicianApp(ctx.oidc.client?.clientId) ? apiResource : fhirBase),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, indicator) => {
          if (isClinicianApp(ctx.oidc.client?.clientId)) {
            if (indicator !== apiResource) throw new errors.InvalidTarget(`the clinician app's resource is ${apiResource}`);
            return {
              scope: CLINICIAN_API_SCOPE,
              audience: apiAudience,
              accessTokenFormat: 'jwt',
              accessTokenTTL: CLINICIAN_TOKEN_SECONDS,
              jwt: { sign: { alg: 'ES256' } },
            };
          }
          if (indicator !== fhirBase) throw new errors.InvalidTarget(`the only resource here is ${fhirBase}`);
          return { scope: `launch/patient ${patientScopes}`, audience: fhirBase, accessTokenFormat: 'opaque', accessTokenTTL: 3600 };
        },
      },
    },
    // A browser app may call the token endpoint from the origin of its registered redirect URIs.
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
    ttl: {
      IdToken: 3600,
      // Each resource's own lifetime (the clinician app's /api tokens are short), else an hour.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      AuthorizationCode: 60,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 14 * 24 * 3600,
    },
  };
  const provider = new Provider(issuer, configuration);
  // The routes set the forwarded host and protocol from PUBLIC_BASE_URL themselves, so they hold.
  provider.proxy = true;
  provider.use(offlineAccessAsksConsent);
  provider.use(wildcardScopesPerType(directory));
  provider.use(publicClientRefresh(provider));
  return { provider, store, issuer, fhirBase, apiResource };
}

/**
 * A token carries only scopes its request asked for, so `patient/*.rs` is asked as one scope per type
 * the app is registered for (`patient/Observation.rs`…), on every path into the authorization
 * endpoint (pushed or not): the consent screen then narrows those to the types the patient allows,
 * and the token names each of them.
 */
function wildcardScopesPerType(directory: DirectoryLookup) {
  /** Expands the wildcard scopes of an authorization request's parameters in place. */
  const expandIn = async (params: URLSearchParams) => {
    const scopes = params.get('scope')?.split(' ') ?? [];
    if (!scopes.some((scope) => parsePatientScope(scope)?.resourceType === '*')) return;
    const app = await directory.app(params.get('client_id') ?? '');
    params.set('scope', expandWildcardScopes(scopes, app?.requestedResourceTypes ?? []).join(' '));
  };
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.path !== '/auth' && ctx.path !== '/request') return next();
    if (ctx.method === 'GET') {
      const query = new URLSearchParams(ctx.querystring);
      await expandIn(query);
      ctx.querystring = query.toString();
      (ctx.req as typeof ctx.req & { originalUrl: string }).originalUrl = `${OAUTH_PREFIX}${ctx.url}`;
    }
    const form = await readForm(ctx);
    if (form) {
      await expandIn(form);
      replayForm(ctx, form);
    }
    return next();
  };
}

/**
 * OpenID Connect drops offline_access unless the request prompts for consent; SMART apps ask for it
 * without a prompt, and the consent screen is shown on every launch anyway, so the prompt is added.
 */
async function offlineAccessAsksConsent(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
  if (ctx.path === '/auth' && ctx.method === 'GET') {
    const query = new URLSearchParams(ctx.querystring);
    if (query.get('scope')?.split(' ').includes('offline_access') && !query.get('prompt')?.split(' ').includes('consent')) {
      query.set('prompt', [query.get('prompt'), 'consent'].filter(Boolean).join(' '));
      ctx.querystring = query.toString();
      (ctx.req as typeof ctx.req & { originalUrl: string }).originalUrl = `${OAUTH_PREFIX}${ctx.url}`;
    }
  }
  await next();
}
