// /fhir: the FHIR R4 endpoint. Every interaction needs a bearer token. Admins read everything and
// load data with batch and transaction bundles; clinicians read the ServiceRequests and Tasks of
// their own side's referrals; SMART apps read their patient's data as consent allows at that moment.
// Errors are OperationOutcomes.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../identity/caller.js';
import { hasRole } from '../identity/caller.js';
import { callerOf } from '../identity/plugin.js';
import { unauthenticated } from '../../platform/errors.js';
import { errorHandler } from '../../platform/http-errors.js';
import { isDirectoryResourceType, type DirectoryReader, type DirectoryResourceType } from '../directory/fhir.js';
import { bareId } from '../directory/accounts.js';
import type { SmartAccess, SmartContext } from '../smart/access.js';
import { operationOutcome, type FhirAnswer, type FhirBackend, type FhirInteraction } from './backend.js';
import { searchColumnsOf } from './search-columns.js';

declare module 'fastify' {
  interface FastifyRequest {
    smartContext?: SmartContext;
  }
}

type ReadableFilter = (caller: Caller, resources: Resource[]) => Promise<Resource[]>;

export interface FhirRouteOptions {
  backend: FhirBackend;
  /** Narrows what a clinician sees to their own side's referral resources. */
  readableByClinician: ReadableFilter;
  authenticate: (request: FastifyRequest) => Promise<void>;
  /** Served without a token at /fhir/.well-known/smart-configuration. */
  smartConfiguration: object;
  /** Checks SMART access tokens and decides each read of patient data. */
  smartAccess?: SmartAccess;
  /** Applies the per-client request limit to the /fhir routes. */
  limitRequests?: (scope: FastifyInstance) => Promise<void>;
  /** Routes other modules serve under /fhir (FHIR Subscriptions), with its authentication and errors. */
  moreRoutes?: FastifyPluginAsync;
  /** Answers reads of the directory's Organization, Practitioner, PractitionerRole and Endpoint. */
  directory: {
    read(reader: DirectoryReader, type: DirectoryResourceType, path: string, query: string): Promise<FhirAnswer>;
    /** The organisation a SMART app belongs to. */
    organizationOfApp(clientId: string): Promise<string | undefined>;
  };
}

const FHIR_JSON = 'application/fhir+json';
const REFERRAL_TYPES = new Set(['ServiceRequest', 'Task', 'DocumentReference', 'Binary', 'CommunicationRequest', 'Communication']);

export async function fhirRoutes(app: FastifyInstance, options: FhirRouteOptions): Promise<void> {
  app.addContentTypeParser(FHIR_JSON, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.setErrorHandler(
    errorHandler((error, request, reply) => {
      if (error.status === 401) reply.header('www-authenticate', bearerChallenge(request.headers.authorization ? 'invalid_token' : undefined));
      return sendFhir(reply, { status: error.status, resource: operationOutcome(issueCodeOf(error.status), error.message) });
    }),
  );
  app.addHook('onRequest', async (request) => {
    if (isCapabilityRequest(request.method, request.url)) return;
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token && options.smartAccess && token.split('.').length !== 3) {
      request.smartContext = await options.smartAccess.verify(token);
      if (!request.smartContext) throw unauthenticated('The access token is not active');
      return;
    }
    await options.authenticate(request);
  });

  await options.limitRequests?.(app);

  app.get('/.well-known/smart-configuration', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json').send(options.smartConfiguration),
  );

  const handler = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const interaction = interactionOf(request);
    if (isCapabilityRequest(request.method, request.url)) return sendFhir(reply, await options.backend.handle(interaction));
    const type = interaction.path.split('/')[0] ?? '';
    if (isDirectoryResourceType(type)) return sendFhir(reply, await directoryAnswer(request, type, interaction, options.directory));
    if (request.smartContext) return sendFhir(reply, await smartAnswer(request.smartContext, interaction, options));
    const caller = callerOf(request);
    const refusal = refusalFor(caller, interaction);
    if (refusal) return sendFhir(reply, refusal);
    const answer = await options.backend.handle(interaction);
    return sendFhir(reply, hasRole(caller, 'admin') ? answer : await narrowed(caller, answer, options.readableByClinician));
  };
  if (options.moreRoutes) await app.register(options.moreRoutes);
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/*', schema: { hide: true }, handler });
  app.route({ method: ['GET', 'POST'], url: '/', schema: { hide: true }, handler });
}

/** The CapabilityStatement and SMART configuration are public, as clients read them before they have a token. */
function isCapabilityRequest(method: string, url: string): boolean {
  return method === 'GET' && /^\/fhir\/(metadata|\.well-known\/smart-configuration)(\?|$)/.test(url);
}

function interactionOf(request: FastifyRequest<{ Params: { '*': string } }>): FhirInteraction {
  const queryAt = request.url.indexOf('?');
  return {
    method: request.method as FhirInteraction['method'],
    path: (request.params['*'] ?? '').replace(/^\/+|\/+$/g, ''),
    query: queryAt === -1 ? '' : request.url.slice(queryAt + 1),
    body: request.body,
    headers: { 'if-match': request.headers['if-match'] as string | undefined, 'if-none-exist': request.headers['if-none-exist'] as string | undefined },
  };
}

/** The directory is read-only here: clinicians and admins read all of it, patients the facilities, a SMART app its own records. */
async function directoryAnswer(
  request: FastifyRequest,
  type: DirectoryResourceType,
  interaction: FhirInteraction,
  directory: FhirRouteOptions['directory'],
): Promise<FhirAnswer> {
  if (interaction.method !== 'GET')
    return { status: 405, resource: operationOutcome('not-supported', 'The directory is read-only on /fhir; administrators change it through /api/admin') };
  const reader = await readerOf(request, directory);
  return reader ? directory.read(reader, type, interaction.path, interaction.query) : forbidden('The directory is not shared with this caller');
}

async function readerOf(request: FastifyRequest, directory: FhirRouteOptions['directory']): Promise<DirectoryReader | undefined> {
  const context = request.smartContext;
  if (context) {
    const organization = await directory.organizationOfApp(context.clientId);
    return organization ? { app: { clientId: context.clientId, organization } } : undefined;
  }
  const caller = callerOf(request);
  if (hasRole(caller, 'admin', 'clinician')) return { everything: true };
  return hasRole(caller, 'patient') ? { facilities: true } : undefined;
}

/** Who may attempt what, before the store is asked. */
function refusalFor(caller: Caller, interaction: FhirInteraction): FhirAnswer | undefined {
  if (hasRole(caller, 'admin')) return undefined;
  if (!hasRole(caller, 'clinician')) return forbidden('Patient data is read here by SMART apps with their access tokens; clinicians read their referrals');
  if (interaction.method !== 'GET') return forbidden('Only admins write to /fhir');
  const type = interaction.path.split('/')[0] ?? '';
  if (!REFERRAL_TYPES.has(type))
    return forbidden(`Clinicians read their referrals' ${[...REFERRAL_TYPES].join(', ')} here, not ${type || 'system-wide searches'}`);
  return undefined;
}

/** A clinician's answer: a single resource they may not read is "not found"; a bundle loses such entries, its total and its paging links. */
async function narrowed(caller: Caller, answer: FhirAnswer, readable: ReadableFilter): Promise<FhirAnswer> {
  const resource = answer.resource;
  if (resource.resourceType === 'OperationOutcome') return answer;
  if (resource.resourceType !== 'Bundle') {
    const [kept] = await readable(caller, [resource]);
    return kept ? answer : { status: 404, resource: operationOutcome('not-found', 'Not found') };
  }
  const bundle = resource as Bundle;
  const entries = bundle.entry ?? [];
  const kept = new Set(
    await readable(
      caller,
      entries.flatMap((entry) => (entry.resource ? [entry.resource] : [])),
    ),
  );
  // The store's total and paging links count what the caller may not see: only `self` stays.
  const { total: _total, link, ...rest } = bundle;
  return {
    ...answer,
    resource: { ...rest, link: link?.filter((l) => l.relation === 'self'), entry: entries.filter((entry) => entry.resource && kept.has(entry.resource)) },
  };
}

/**
 * A SMART app's read: its patient's compartment only, and only types that are in its scopes and
 * consented right now. Searches are confined to the patient; reading another patient's data is 403.
 */
async function smartAnswer(context: SmartContext, interaction: FhirInteraction, options: FhirRouteOptions): Promise<FhirAnswer> {
  const [type, id] = interaction.path.split('/');
  if (interaction.method !== 'GET' || !type) return forbidden('SMART apps read one resource type at a time here');
  // The data is read while the decision's audit event is written; the answer waits for both.
  const { refusal, audited } = await options.smartAccess!.decide(context, type, id ? 'read' : 'search');
  if (refusal) return audited.then(() => forbidden(`Access refused: ${refusal}`));
  const [answer] = await Promise.all([smartRead(context, type, id, interaction, options), audited]);
  return answer;
}

/** What a permitted SMART read answers: one resource of the patient's, or a search confined to the patient. */
async function smartRead(
  context: SmartContext,
  type: string,
  id: string | undefined,
  interaction: FhirInteraction,
  options: FhirRouteOptions,
): Promise<FhirAnswer> {
  if (id) {
    const answer = await options.backend.handle(interaction);
    const inCompartment =
      answer.resource.resourceType === 'OperationOutcome' || searchColumnsOf(answer.resource as never).compartments.includes(context.patient);
    // Another patient's resource answers as one that does not exist: the answer says nothing of it.
    return inCompartment ? answer : { status: 404, resource: operationOutcome('not-found', `${type}/${id} is not found`) };
  }
  const query = new URLSearchParams(interaction.query);
  const patientId = bareId(context.patient);
  const [param, value] = type === 'Patient' ? ['_id', patientId] : ['patient', context.patient];
  for (const name of type === 'Patient' ? ['_id'] : ['patient', 'subject']) {
    const asked = query.get(name);
    if (asked && asked !== context.patient && asked !== patientId) return forbidden('This token reads only its own patient’s records');
  }
  query.delete('subject');
  query.set(param, value);
  return options.backend.handle({ ...interaction, query: query.toString() });
}

function forbidden(diagnostics: string): FhirAnswer {
  return { status: 403, resource: operationOutcome('forbidden', diagnostics) };
}

/** RFC 6750 §3: how to authenticate, and why a token was not enough. */
/** The OperationOutcome issue code for an error's status (R4 value set issue-type). */
function issueCodeOf(status: number): 'login' | 'throttled' | 'invalid' | 'exception' {
  if (status === 401) return 'login';
  if (status === 429) return 'throttled';
  return status < 500 ? 'invalid' : 'exception';
}

function bearerChallenge(error?: 'invalid_token' | 'insufficient_scope'): string {
  return error ? `Bearer realm="fhir", error="${error}"` : 'Bearer realm="fhir"';
}

function sendFhir(reply: FastifyReply, answer: FhirAnswer) {
  if (answer.status === 403) reply.header('www-authenticate', bearerChallenge('insufficient_scope'));
  return reply
    .status(answer.status)
    .headers(answer.headers ?? {})
    .type(FHIR_JSON)
    .send(answer.resource);
}
