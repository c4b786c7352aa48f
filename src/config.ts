// Reads the process environment and arguments into one typed Config; nothing else reads process.env.
import path from 'node:path';
import { PRIORITIES, type Priority } from './modules/vocabulary/priority.js';

/** How soon a response is due by priority unless RESPONSE_DUE_HOURS says otherwise (the workflow guide: 18 weeks, 14 days, 72 hours, 1 hour). */
const DEFAULT_RESPONSE_DUE_HOURS: Record<Priority, number> = {
  ROUTINE: 18 * 7 * 24,
  URGENT: 14 * 24,
  ASAP: 72,
  STAT: 1,
};

export type ModuleName = 'referrals' | 'consent';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; embedded PGlite in `dataDir` when absent. */
  databaseUrl?: string;
  dataDir: string;
  dbPoolSize: number;
  /** Demo mode: demo data on first start and demo tokens (by default on the embedded database only). */
  demo: boolean;
  /** The demo patient's consent-portal password (demo mode only). */
  demoPatientPassword: string;
  /** The demo clinicians' password for the web app's sign-in. */
  demoClinicianPassword: string;
  jwt: { issuer: string; audience: string; jwksUrl?: string };
  /** Clinicians sign in to the web app at an external OpenID Connect provider instead of this service's own, when set. */
  clinicianOidc?: ClinicianOidcSettings;
  /** A private JWK (JSON) for the instance's own tokens; else a key file in `dataDir/keys`. */
  signingKeyJwk?: string;
  /** A private JWK for the authorization server's id_tokens, kept apart from the API tokens' key; else `dataDir/keys`. */
  oidcSigningKeyJwk?: string;
  /** Base URL of a separate consent service; in-process when absent. */
  consentUrl?: string;
  /** The modules this process serves. */
  modules: ModuleName[];
  responseDueHours: Record<Priority, number>;
  /** The largest attachment (bytes) a referral takes. */
  attachmentMaxBytes: number;
  /** How often an idle event stream (GET /api/events) sends a heartbeat. */
  eventsHeartbeatMs: number;
  /** Webhook deliveries: how long an endpoint has to answer, how often due endpoints are looked for, the longest wait between retries. */
  webhooks: { timeoutMs: number; pollMs: number; retryMaxMs: number };
  /** How often the consent watch looks for grants revoked or ended since its last look (open referrals' parties are told). */
  consentWatchMs: number;
  logLevel: string;
  /** Behind a TLS-terminating proxy: trust its X-Forwarded-* headers (so cookies are Secure). */
  trustProxy: boolean;
  /** How this instance is reached from outside; names it in FHIR identifiers and links. */
  publicBaseUrl: string;
  /** An upstream FHIR R4 server; the embedded store serves /fhir when absent. */
  fhirUpstream?: { baseUrl: string; auth?: { tokenUrl: string; clientId: string; clientSecret: string; scope?: string } };
  mirror: { enabled: boolean; pollMs: number; retryMaxMs: number };
  /** Requests a minute one client may make to /api and to /fhir; 0 sets no limit. */
  rateLimitPerMinute: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  const jwksUrl = env.JWKS_URL || undefined;
  if (jwksUrl && !(env.JWT_ISSUER && env.JWT_AUDIENCE)) {
    throw new Error('JWKS_URL needs JWT_ISSUER and JWT_AUDIENCE to be set too');
  }
  return {
    port: integer(env.PORT, 8080, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    dbPoolSize: integer(env.DB_POOL_SIZE, 10, 'DB_POOL_SIZE'),
    demo: env.DEMO ? env.DEMO === 'true' : !env.DATABASE_URL,
    demoPatientPassword: env.DEMO_PATIENT_PASSWORD || 'consent-demo',
    demoClinicianPassword: env.DEMO_CLINICIAN_PASSWORD || 'clinician-demo',
    jwt: {
      issuer: env.JWT_ISSUER ?? 'referral-hub',
      audience: env.JWT_AUDIENCE ?? 'referral-hub-api',
      jwksUrl,
    },
    clinicianOidc: parseClinicianOidc(env),
    signingKeyJwk: env.SIGNING_KEY || undefined,
    oidcSigningKeyJwk: env.OIDC_SIGNING_KEY || undefined,
    consentUrl: env.CONSENT_URL || undefined,
    modules: parseModules(argv),
    responseDueHours: parseResponseDue(env.RESPONSE_DUE_HOURS),
    attachmentMaxBytes: integer(env.ATTACHMENT_MAX_BYTES, 20 * 1024 * 1024, 'ATTACHMENT_MAX_BYTES'),
    eventsHeartbeatMs: integer(env.EVENTS_HEARTBEAT_MS, 15_000, 'EVENTS_HEARTBEAT_MS'),
    webhooks: {
      timeoutMs: integer(env.WEBHOOK_TIMEOUT_MS, 5000, 'WEBHOOK_TIMEOUT_MS'),
      pollMs: integer(env.WEBHOOK_POLL_MS, 500, 'WEBHOOK_POLL_MS'),
      retryMaxMs: integer(env.WEBHOOK_RETRY_MAX_MS, 300_000, 'WEBHOOK_RETRY_MAX_MS'),
    },
    consentWatchMs: integer(env.CONSENT_WATCH_MS, 5000, 'CONSENT_WATCH_MS'),
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: env.TRUST_PROXY === 'true',
    publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${integer(env.PORT, 8080, 'PORT')}`).replace(/\/+$/, ''),
    fhirUpstream: parseFhirUpstream(env),
    rateLimitPerMinute: integer(env.RATE_LIMIT_PER_MINUTE, 6000, 'RATE_LIMIT_PER_MINUTE'),
    mirror: {
      enabled: env.MIRROR_WORKER !== 'false',
      pollMs: integer(env.MIRROR_POLL_MS, 100, 'MIRROR_POLL_MS'),
      retryMaxMs: integer(env.MIRROR_RETRY_MAX_MS, 60_000, 'MIRROR_RETRY_MAX_MS'),
    },
  };
}

/** An external OpenID Connect provider for clinicians, and how its tokens name them. */
export interface ClinicianOidcSettings {
  /** Its issuer: discovery is at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The web app's client id there (a public client with PKCE, redirecting to `<PUBLIC_BASE_URL>/app/callback`). */
  clientId: string;
  /** The scopes the app asks for. */
  scope: string;
  /** The audience its access tokens must carry to be taken by /api. */
  audience: string;
  /** The claim of its access tokens that holds the practitioner's directory id (or `Practitioner/<id>`). */
  practitionerClaim: string;
}

/** `CLINICIAN_OIDC_ISSUER` and `CLINICIAN_OIDC_CLIENT_ID`, with the scope, audience and practitioner claim when not the defaults. */
function parseClinicianOidc(env: NodeJS.ProcessEnv): ClinicianOidcSettings | undefined {
  const { CLINICIAN_OIDC_ISSUER: issuer, CLINICIAN_OIDC_CLIENT_ID: clientId } = env;
  if (!issuer) return undefined;
  if (!clientId) throw new Error('CLINICIAN_OIDC_ISSUER needs CLINICIAN_OIDC_CLIENT_ID to be set too');
  return {
    issuer,
    clientId,
    scope: env.CLINICIAN_OIDC_SCOPE || 'openid profile offline_access',
    audience: env.CLINICIAN_OIDC_AUDIENCE || env.JWT_AUDIENCE || 'referral-hub-api',
    practitionerClaim: env.CLINICIAN_OIDC_PRACTITIONER_CLAIM || 'fhirUser',
  };
}

/** `FHIR_BASE_URL`, with `FHIR_TOKEN_URL`, `FHIR_CLIENT_ID`, `FHIR_CLIENT_SECRET` (and `FHIR_SCOPE`) when it wants a token. */
function parseFhirUpstream(env: NodeJS.ProcessEnv): Config['fhirUpstream'] {
  if (!env.FHIR_BASE_URL) return undefined;
  const { FHIR_TOKEN_URL: tokenUrl, FHIR_CLIENT_ID: clientId, FHIR_CLIENT_SECRET: clientSecret } = env;
  if (tokenUrl && !(clientId && clientSecret)) throw new Error('FHIR_TOKEN_URL needs FHIR_CLIENT_ID and FHIR_CLIENT_SECRET to be set too');
  return {
    baseUrl: env.FHIR_BASE_URL,
    ...(tokenUrl && { auth: { tokenUrl, clientId: clientId!, clientSecret: clientSecret!, scope: env.FHIR_SCOPE || undefined } }),
  };
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return parsed;
}

/**
 * `--only consent` serves just consent: its API and the patients' portal. `--only referrals` serves the
 * rest: referrals, the directory's administration, the SMART server, /fhir and the FHIR mirror. The
 * default serves both.
 */
function parseModules(argv: string[]): ModuleName[] {
  const at = argv.indexOf('--only');
  if (at === -1) return ['referrals', 'consent'];
  const named = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = named.filter((name) => name !== 'referrals' && name !== 'consent');
  if (named.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes referrals and/or consent, got "${argv[at + 1] ?? ''}"`);
  }
  return named as ModuleName[];
}

/** `RESPONSE_DUE_HOURS="URGENT=168,STAT=2"` overrides the defaults per priority. */
function parseResponseDue(value: string | undefined): Record<Priority, number> {
  const table = { ...DEFAULT_RESPONSE_DUE_HOURS };
  for (const entry of (value ?? '').split(',').filter(Boolean)) {
    const [priority, hours] = entry.split('=');
    if (!PRIORITIES.includes(priority as Priority) || !(Number(hours) > 0)) {
      throw new Error(`RESPONSE_DUE_HOURS entry "${entry}" must be PRIORITY=hours`);
    }
    table[priority as Priority] = Number(hours);
  }
  return table;
}
