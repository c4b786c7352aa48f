// A running Referral Hub for tests: a fresh database, the real app listening on a loopback port,
// real signed tokens for the demo identities, and a small fetch client.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppResources } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { demoClaims, DEMO_PATIENT } from '../../src/modules/demo/identities.js';
import { seedDemoDirectory } from '../../src/modules/demo/seed.js';
import { mintToken } from '../../src/modules/identity/tokens.js';
import { outboxStatus } from '../../src/modules/mirror/outbox.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { DatabaseHandle } from '../../src/database.js';
import { generateSigningJwk, importSigningKey, type SigningKey } from '../../src/platform/keys.js';
import type { TestEngine } from './engines.js';
import { freePort } from './ports.js';
import { demoAppAuthorization } from './smart-launch.js';

export type Identity = 'dr-smith' | 'dr-patel' | 'dr-other' | 'patient' | 'admin';

interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

interface RequestOptions {
  as?: Identity | { token: string };
  body?: unknown;
  /** A multipart/form-data body (an upload), sent instead of JSON. */
  form?: FormData;
  headers?: Record<string, string>;
}

let sharedKey: Promise<SigningKey> | undefined;
const testSigningKey = () => (sharedKey ??= generateSigningJwk().then(importSigningKey));

export interface Harness {
  baseUrl: string;
  app: FastifyInstance;
  database: DatabaseHandle;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  key: SigningKey;
  token(identity: Identity): Promise<string>;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

const TOKEN_TTL_SECONDS = 3600;

interface HarnessOverrides {
  config?: Partial<Config>;
  resources?: Partial<AppResources>;
  database?: DatabaseHandle;
  demoDirectory?: boolean;
  /**
   * `running` for a clock that follows real time (and can still be moved ahead): for tests that sign
   * in through the authorization server, whose tokens carry the real time. Fixed by default.
   */
  clock?: 'fixed' | 'running';
}

/** A clock that runs with real time, moved ahead by `advance`. */
function runningClock(): ReturnType<typeof fixedClock> {
  let ahead = 0;
  return {
    now: () => new Date(Date.now() + ahead),
    advance: (ms) => {
      ahead += ms;
    },
  };
}

/** A harness that listens at the address it calls itself by, so that browsers follow its redirects and links (SMART launches, the portal); its mirror is off. */
export async function startReachableHarness(engine: TestEngine, overrides: HarnessOverrides = {}): Promise<Harness> {
  const port = await freePort();
  const reachable = { port, publicBaseUrl: `http://127.0.0.1:${port}`, mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } };
  return startHarness(engine, { ...overrides, config: { ...reachable, ...overrides.config } });
}

export async function startHarness(engine: TestEngine, overrides: HarnessOverrides = {}): Promise<Harness> {
  const database = overrides.database ?? (await engine.open());
  const config = { ...loadConfig({ DEMO: String(overrides.demoDirectory ?? true) }, []), ...overrides.config };
  const key = await testSigningKey();
  const clock = overrides.clock === 'running' ? runningClock() : fixedClock(new Date());
  if (config.demo) await seedDemoDirectory(database.db, clock, config.publicBaseUrl);
  const app = await buildApp({
    config,
    db: database.db,
    engine: database.engine,
    listen: database.listen,
    clock,
    signingKey: key,
    logger: false,
    ...overrides.resources,
  });
  await app.listen({ port: overrides.config?.port ?? 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // Tokens are minted on the app's clock, and again once that clock has moved past half their life.
  const tokens = new Map<Identity, { token: Promise<string>; renewAtMs: number }>();
  const token = (identity: Identity) => {
    const now = clock.now();
    const minted = tokens.get(identity);
    if (minted && now.getTime() < minted.renewAtMs) return minted.token;
    const fresh = mintToken(key, demoClaims(identity), { ...config.jwt, ttlSeconds: TOKEN_TTL_SECONDS, now });
    tokens.set(identity, { token: fresh, renewAtMs: now.getTime() + (TOKEN_TTL_SECONDS * 1000) / 2 });
    return fresh;
  };

  async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${typeof options.as === 'string' ? await token(options.as) : options.as.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const body = options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const json = /json/.test(response.headers.get('content-type') ?? '');
    return { status: response.status, body: text && json ? JSON.parse(text) : text || undefined, headers: response.headers };
  }

  return {
    baseUrl,
    app,
    database,
    clock,
    config,
    key,
    token,
    request,
    close: async () => {
      await app.close();
      if (!overrides.database) await database.close();
    },
  };
}

/** The workflow guide's example referral. */
export function guideReferral(overrides: Record<string, unknown> = {}) {
  return {
    patientId: DEMO_PATIENT,
    requesterId: 'Practitioner/dr-smith',
    performerId: 'Organization/royal-london-cardiology',
    receivingFacilityClientId: 'royal-london-cardiology-smart',
    referralCode: '103696004',
    referralDisplay: 'Patient referral to cardiologist',
    priority: 'ROUTINE',
    reasonCodes: ['I20.9'],
    clinicalNote: 'Chest pain and elevated troponin. ECG shows ST changes.',
    sharedResourceTypes: ['Observation', 'Condition', 'DiagnosticReport'],
    occurrenceDate: '2025-07-15',
    sendingOrganisationId: 'Organization/anytown-gp-practice',
    receivingOrganisationId: 'Organization/royal-london-cardiology',
    ...overrides,
  };
}

/** The patient consents to share `types` with the cardiology app (an admin records it for other patients). */
export async function grantConsent(harness: Harness, types: string[], patientId = DEMO_PATIENT, clientId = 'royal-london-cardiology-smart') {
  const as = patientId === DEMO_PATIENT ? 'patient' : 'admin';
  const response = await harness.request('POST', '/api/consent', { as, body: { patientId, clientId, resourceTypes: types } });
  if (response.status !== 201) throw new Error(`grant failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.grants as Array<{ id: number; resourceType: string }>;
}

/** A draft created by dr-smith (or another referrer); returns its id. */
export async function createDraft(harness: Harness, overrides: Record<string, unknown> = {}, as: Identity = 'dr-smith'): Promise<number> {
  const response = await harness.request('POST', '/api/referrals', { as, body: guideReferral(overrides) });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
}

/** A referral sent by dr-smith (consent granted first); returns its id and its task's id. */
export async function createSentReferral(harness: Harness, overrides: Record<string, unknown> = {}) {
  const id = await createDraft(harness, overrides);
  await grantConsent(harness, (overrides.sharedResourceTypes as string[]) ?? ['Observation', 'Condition', 'DiagnosticReport']);
  const sent = await harness.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
  if (sent.status !== 200) throw new Error(`send failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  const tasks = await harness.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' });
  return { id, taskId: tasks.body[0].id as number };
}

/** A small PDF (its first bytes are what makes it one) as an upload form, in the field "file". */
export function pdfUpload(name = 'letter.pdf', text = 'Referral letter'): FormData {
  const form = new FormData();
  form.append('file', new Blob([`%PDF-1.4\n% ${text}\n%%EOF\n`], { type: 'application/pdf' }), name);
  return form;
}

/** Waits until the FHIR mirror has delivered every change committed so far. */
export async function drainMirror(harness: Harness, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await harness.app.mirrorWorker.deliverDue();
    const { pending } = await outboxStatus(harness.database.db);
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`the FHIR mirror still has ${pending} undelivered resources`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The demo SMART app's authorization request to this harness (PKCE with a fixed challenge), as a browser would open it. */
export function demoAppAuthorizationUrl(harness: Harness, scope = 'launch/patient patient/Observation.rs'): string {
  return demoAppAuthorization(harness.baseUrl, scope, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
}
