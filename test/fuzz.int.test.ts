// Property-based fuzzing over real HTTP on both engines (fast-check): generated paths, query strings,
// bodies and headers thrown at every /api route of the OpenAPI document and the main /fhir routes,
// as every kind of caller. Whatever comes in, the answer is never a 5xx, the server stays healthy,
// and a draft nobody fuzzed is left exactly as it was.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { testEngines } from './support/engines.js';
import { createSentReferral, guideReferral, startHarness, type Harness, type Identity } from './support/harness.js';

const FHIR_ROUTES = [
  '/fhir/Observation',
  '/fhir/Observation/{id}',
  '/fhir/ServiceRequest',
  '/fhir/ServiceRequest/{id}/_history/{vid}',
  '/fhir/Task/{id}',
  '/fhir/Organization',
  '/fhir/Endpoint/{id}',
  '/fhir/PractitionerRole',
  '/fhir/',
  '/fhir/AuditEvent',
];
const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
const IDENTITIES: (Identity | 'nobody' | 'garbage')[] = ['dr-smith', 'dr-other', 'patient', 'admin', 'nobody', 'garbage'];
const FIELD_NAMES = [
  'status',
  'note',
  'reason',
  'rejectionReason',
  'patientId',
  'clientId',
  'resourceTypes',
  'sharedResourceTypes',
  'priority',
  'performerId',
  'receivingOrganisationId',
  'receivingFacilityClientId',
  'requesterId',
  'sendingOrganisationId',
  'referralCode',
  'clinicalNote',
  'resourceType',
  'type',
  'entry',
  'id',
  'name',
  'period',
  'cursor',
  'limit',
];

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '0',
    '-1',
    '999999999999',
    '9223372036854776000',
    '1e308',
    'NaN',
    '<script>',
    '../../etc',
    '%00',
    'Patient/ePatient-8675309',
    'ACTIVE',
    'REJECTED',
    'COMPLETED',
    '+275760-09-13T00:00:00Z',
  ),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostile,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A body each kind of route accepts, to be spoilt in one field: how bad input gets past the schema's first line. */
function templateFor(method: string, path: string): Record<string, unknown> | undefined {
  if (path === '/api/referrals' && method === 'POST') return guideReferral();
  if (path === '/api/referrals/{id}' && method === 'PATCH') return { priority: 'STAT', clinicalNote: 'Worse today', sharedResourceTypes: ['Observation'] };
  if (path.endsWith('/tasks/{taskId}')) return { status: 'REJECTED', note: 'Seen', rejectionReason: 'No capacity' };
  if (/\/(hold|resume|revoke)$/.test(path)) return { reason: 'Patient admitted' };
  if (path.startsWith('/api/consent'))
    return { patientId: 'Patient/ePatient-8675309', clientId: 'royal-london-cardiology-smart', resourceTypes: ['Observation'], resourceType: 'Condition' };
  if (path.startsWith('/api/admin/organizations')) return { id: 'fuzz-org', name: 'Fuzz', partOf: 'Organization/city-hospital' };
  if (path.startsWith('/api/admin/practitioners'))
    return { id: 'fuzz-dr', name: 'Dr Fuzz', organization: 'Organization/city-hospital', role: 'receiver', active: false };
  if (path.startsWith('/api/admin/patient-accounts')) return { username: 'fuzz.patient', patientId: 'Patient/fuzz', state: 'disabled' };
  if (path.startsWith('/api/admin/facility-apps'))
    return {
      clientId: 'fuzz-app',
      name: 'Fuzz',
      organization: 'Organization/city-hospital',
      redirectUris: ['https://fuzz.example/cb'],
      resourceTypes: ['Observation'],
    };
  return undefined;
}

/** Who a route is for, most of the time; anyone at all the rest. */
function likelyCaller(path: string): Identity {
  if (path.startsWith('/api/admin') || path.startsWith('/fhir')) return 'admin';
  if (path.startsWith('/api/consent')) return 'patient';
  return 'dr-smith';
}

const pathParam = fc.oneof(fc.constantFrom('1', '2', '3'), hostile);
const nulText = hostile.map((text) => `note ${text} \u0000 end`);

function requestFor(operations: [string, string][]) {
  return fc.constantFrom(...operations).chain(([method, path]) => {
    const template = templateFor(method, path);
    const spoilt = template
      ? fc.tuple(fc.constantFrom(...Object.keys(template)), fc.oneof(nulText, hostile, jsonValue)).map(([key, value]) => ({ ...template, [key]: value }))
      : jsonValue;
    return fc.record({
      method: fc.constant(method),
      route: fc.constant(path),
      params: fc.array(pathParam, { minLength: 3, maxLength: 3 }),
      query: fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...FIELD_NAMES, '_count', '_offset', 'patient', 'performerId', 'side', 'status'), fc.string({ maxLength: 6 })),
          fc.oneof(hostile, nulText),
        ),
        { maxLength: 4 },
      ),
      body: fc.option(fc.oneof(spoilt, spoilt, jsonValue), { nil: undefined }),
      rawBody: fc.option(fc.string({ unit: 'binary', maxLength: 60 }), { nil: undefined, freq: 8 }),
      identity: fc.oneof(fc.constant(likelyCaller(path)), fc.constant(likelyCaller(path)), fc.constantFrom(...IDENTITIES)),
      headers: fc.record({
        'if-match': fc.option(hostile, { nil: undefined, freq: 3 }),
        'idempotency-key': fc.option(hostile, { nil: undefined, freq: 3 }),
        'content-type': fc.constantFrom(
          'application/json',
          'application/json',
          'application/json',
          'application/fhir+json',
          'application/x-www-form-urlencoded',
          'text/plain',
        ),
      }),
    });
  });
}

for (const engine of testEngines()) {
  describe(`fuzzing every route on ${engine.name}`, () => {
    let hub: Harness;
    let operations: [string, string][];
    let untouched: { id: number; body: unknown };
    before(async () => {
      hub = await startHarness(engine, { config: { rateLimitPerMinute: 0, mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
      const docs = await hub.request('GET', '/docs/json');
      const apiOperations = Object.entries(docs.body.paths as Record<string, object>).flatMap(([path, methods]) =>
        path.startsWith('/api') ? Object.keys(methods).map((method): [string, string] => [method.toUpperCase(), path]) : [],
      );
      operations = [...apiOperations, ...FHIR_ROUTES.flatMap((path) => METHODS.map((method): [string, string] => [method, path]))];
      // Drafted by dr-patel, whom the fuzzer never plays: nothing it sends may change this draft.
      const created = await hub.request('POST', '/api/referrals', {
        as: 'dr-patel',
        body: guideReferral({ requesterId: 'Practitioner/dr-patel', sendingOrganisationId: 'Organization/royal-london-cardiology' }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      untouched = { id: created.body.id, body: (await hub.request('GET', `/api/referrals/${created.body.id}`, { as: 'dr-patel' })).body };
      await createSentReferral(hub);
    });
    after(() => hub.close());

    it('never answers 5xx, whatever the path, query, body, headers and caller', async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(operations), async (generated) => {
          const response = await fetch(`${hub.baseUrl}${urlOf(generated)}`, {
            method: generated.method,
            headers: await headersOf(hub, generated),
            body: bodyOf(generated),
          });
          // An event stream never ends: its answer is its status and headers.
          if (response.headers.get('content-type')?.startsWith('text/event-stream')) await response.body?.cancel();
          else await response.arrayBuffer();
          assert.ok(response.status < 500, `${generated.method} ${urlOf(generated)} answered ${response.status}`);
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 1500) },
      );
    });

    it('leaves the server healthy and an unrelated draft unchanged', async () => {
      assert.equal((await hub.request('GET', '/health')).status, 200);
      assert.deepEqual((await hub.request('GET', `/api/referrals/${untouched.id}`, { as: 'dr-patel' })).body, untouched.body);
    });
  });
}

type Generated = {
  route: string;
  method: string;
  params: string[];
  query: [string, string][];
  body?: unknown;
  rawBody?: string;
  identity: string;
  headers: Record<string, string | undefined>;
};

function urlOf({ route, params, query }: Generated): string {
  let index = 0;
  const path = route.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[index++ % params.length]!));
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

async function headersOf(hub: Harness, { identity, headers }: Generated): Promise<Record<string, string>> {
  const result: Record<string, string> = { 'content-type': headers['content-type']! };
  for (const name of ['if-match', 'idempotency-key'] as const) {
    const value = headers[name];
    if (value !== undefined && /^[\x20-\x7e]*$/.test(value)) result[name] = value;
  }
  if (identity === 'garbage') result.authorization = 'Bearer not.a.token';
  else if (identity !== 'nobody') result.authorization = `Bearer ${await hub.token(identity as Identity)}`;
  return result;
}

function bodyOf({ method, body, rawBody }: Generated): string | undefined {
  if (method === 'GET' || method === 'DELETE') return undefined;
  return rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
}
