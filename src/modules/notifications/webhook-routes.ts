// /api/admin/webhooks: wiring of paths, schemas and the webhook administration; rules live in webhook-admin.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, Nullable, RowId } from '../../platform/http-schemas.js';
import { callerOf } from '../identity/plugin.js';
import type { WebhookAdmin } from './webhook-admin.js';

const tags = ['webhooks'];

const Webhook = Type.Object(
  {
    id: Type.Integer(),
    organisation: Type.String(),
    url: Type.String(),
    eventTypes: Type.Array(Type.String()),
    deliveredUpTo: { ...Type.Integer(), description: 'The last event id the endpoint has taken' },
    pending: { ...Type.Integer(), description: 'Events waiting for it (counted up to 1,000)' },
    attempts: Type.Integer(),
    nextAttemptAt: Type.String(),
    failingSince: Nullable(Type.String()),
    lastError: Nullable(Type.String()),
    lastErrorAt: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { title: 'Webhook' },
);

const RegisterWebhookBody = Type.Object(
  {
    organisation: Type.String({ pattern: '^Organization/[A-Za-z0-9\\-.]{1,64}$' }),
    url: Type.String({ minLength: 8, maxLength: 2000 }),
    eventTypes: Type.Optional({
      ...Type.Array(Type.String({ pattern: '^(referral|advice)\\.[a-z-]{3,40}$' }), { maxItems: 50, uniqueItems: true }),
      description: 'The event types to deliver; all when omitted',
    }),
  },
  { additionalProperties: false },
);

const WebhookParams = Type.Object({ id: RowId });

export const webhookRoutes: FastifyPluginAsyncTypebox<{ admin: WebhookAdmin }> = async (app, { admin }) => {
  app.post(
    '/admin/webhooks',
    {
      schema: {
        tags,
        summary: 'Register an endpoint for an organisation; its signing secret is shown this once',
        body: RegisterWebhookBody,
        response: { 201: Type.Object({ ...Webhook.properties, secret: Type.String() }), ...errorResponses(400, 401, 403, 422) },
      },
    },
    async function registerWebhook(request, reply) {
      return reply.status(201).send(await admin.registerWebhook(callerOf(request), request.body));
    },
  );

  app.get(
    '/admin/webhooks',
    {
      schema: {
        tags,
        summary: 'The endpoints, with what waits for each and how it fails',
        response: { 200: Type.Array(Webhook), ...errorResponses(401, 403) },
      },
    },
    async function listWebhooks(request) {
      return admin.listWebhooks(callerOf(request));
    },
  );

  app.post(
    '/admin/webhooks/:id/replay',
    {
      schema: {
        tags,
        summary: "Deliver again every event of the endpoint's organisation since a point in time",
        params: WebhookParams,
        body: Type.Object({ from: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
        response: { 200: Webhook, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async function replayWebhook(request) {
      return admin.replayWebhook(callerOf(request), request.params.id, new Date(request.body.from));
    },
  );

  app.delete(
    '/admin/webhooks/:id',
    { schema: { tags, summary: 'Retire an endpoint', params: WebhookParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async function retireWebhook(request, reply) {
      await admin.retireWebhook(callerOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
