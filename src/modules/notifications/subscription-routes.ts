// /fhir/Subscription (R4 Subscriptions Backport IG): create a topic-based Subscription to referral
// changes, read and list one's own, end one, and its $status and $events operations. Served inside
// /fhir's routes, so authentication and OperationOutcome errors are theirs.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { forbidden, notFound, validationFailed } from '../../platform/errors.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { callerOf } from '../identity/plugin.js';
import type { Subscriptions } from './subscriptions.js';

const FHIR_JSON = 'application/fhir+json';

/** The caller, when it is a clinician or an administrator: a SMART app acting for a patient subscribes to nothing. */
function subscriber(request: FastifyRequest): Caller {
  if (request.smartContext) throw forbidden('A SMART app acting for a patient cannot subscribe to referral changes');
  const caller = callerOf(request);
  requireRole(caller, 'clinician', 'admin');
  return caller;
}

function subscriptionId(params: unknown): number {
  const id = (params as { id: string }).id;
  if (!/^[1-9]\d{0,8}$/.test(id)) throw notFound(`Subscription/${id}`);
  return Number(id);
}

const count = (value: unknown, name: string) => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[1-9]\d{0,15}$/.test(value)) throw validationFailed(name, 'must be an event number (a whole number from 1)');
  return Number(value);
};

export function subscriptionRoutes(subscriptions: Subscriptions, fhirBaseUrl: string): FastifyPluginAsync {
  return async (app) => {
    const hidden = { schema: { hide: true } };
    app.post('/Subscription', hidden, async (request, reply) => {
      const created = await subscriptions.subscribe(subscriber(request), request.body);
      return reply.status(201).header('location', `${fhirBaseUrl}/Subscription/${created.id}`).type(FHIR_JSON).send(created);
    });
    app.get('/Subscription', hidden, async (request, reply) => {
      const found = await subscriptions.list(subscriber(request));
      const bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: found.length,
        entry: found.map((resource) => ({ fullUrl: `${fhirBaseUrl}/Subscription/${resource.id}`, resource, search: { mode: 'match' } })),
      };
      return reply.type(FHIR_JSON).send(bundle);
    });
    app.get('/Subscription/:id', hidden, async (request, reply) =>
      reply.type(FHIR_JSON).send(await subscriptions.find(subscriber(request), subscriptionId(request.params))),
    );
    app.delete('/Subscription/:id', hidden, async (request, reply) => {
      await subscriptions.end(subscriber(request), subscriptionId(request.params));
      return reply.status(204).send();
    });
    app.get('/Subscription/:id/$status', hidden, async (request, reply) =>
      reply.type(FHIR_JSON).send(await subscriptions.status(subscriber(request), subscriptionId(request.params))),
    );
    app.get('/Subscription/:id/$events', hidden, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const window = {
        since: count(query.eventsSinceNumber, 'eventsSinceNumber'),
        until: count(query.eventsUntilNumber, 'eventsUntilNumber'),
        ...(typeof query.content === 'string' && { content: query.content }),
      };
      return reply.type(FHIR_JSON).send(await subscriptions.events(subscriber(request), subscriptionId(request.params), window));
    });
  };
}
