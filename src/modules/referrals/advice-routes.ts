// /api/advice-requests: wiring of paths, schemas and the advice use cases; rules live in advice.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, withETag } from '../../platform/http-schemas.js';
import { etagOf } from '../../platform/versioning.js';
import { callerOf } from '../identity/plugin.js';
import * as A from './advice-schemas.js';
import * as S from './schemas.js';
import type { ReferralService } from './service.js';

const tags = ['advice and guidance'];
const adviceResponse = (status: number, ...errors: number[]) => ({ [status]: A.AdviceRequest, ...errorResponses(400, 401, 403, 404, ...errors) });

export const adviceRoutes: FastifyPluginAsyncTypebox<{ service: ReferralService }> = async (app, { service }) => {
  app.post(
    '/advice-requests',
    {
      schema: {
        tags,
        summary: 'Ask a specialist organisation for advice about a patient (patient data shared is consent-gated)',
        body: A.CreateAdviceRequestBody,
        response: adviceResponse(201, 422, 503),
      },
    },
    async function askForAdvice(request, reply) {
      return reply.status(201).send(await service.askForAdvice(callerOf(request), request.body));
    },
  );

  app.get(
    '/advice-requests',
    {
      schema: {
        tags,
        summary: "The caller's advice requests, asked or to answer, newest first",
        querystring: A.ListAdviceQuery,
        response: { 200: A.AdviceRequestPage, ...errorResponses(400, 401, 403) },
      },
    },
    async function listAdviceRequests(request) {
      return service.listAdviceRequests(callerOf(request), request.query);
    },
  );

  app.get(
    '/advice-requests/:id',
    { schema: { tags, summary: 'An advice request with its conversation', params: S.ReferralIdParams, response: adviceResponse(200) } },
    async function getAdviceRequest(request) {
      return service.getAdviceRequest(callerOf(request), request.params.id);
    },
  );

  app.post(
    '/advice-requests/:id/messages',
    {
      schema: {
        tags,
        summary: 'Write in the conversation (the specialist may answer "please refer")',
        params: S.ReferralIdParams,
        body: A.AdviceMessageBody,
        response: adviceResponse(201, 409),
      },
    },
    async function postMessage(request, reply) {
      return reply.status(201).send(await service.postMessage(callerOf(request), request.params.id, request.body));
    },
  );

  app.post(
    '/advice-requests/:id/close',
    { schema: { tags, summary: 'Close the conversation once answered', params: S.ReferralIdParams, response: adviceResponse(200, 409) } },
    async function closeAdviceRequest(request) {
      return service.closeAdviceRequest(callerOf(request), request.params.id);
    },
  );

  app.post(
    '/advice-requests/:id/convert',
    {
      schema: {
        tags,
        summary: 'Turn the conversation into a draft referral to the same organisation, which keeps it',
        params: S.ReferralIdParams,
        body: A.ConvertAdviceBody,
        response: { 201: withETag(S.Referral), ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async function convertToReferral(request, reply) {
      const referral = await service.convertToReferral(callerOf(request), request.params.id, request.body);
      return reply.status(201).header('etag', etagOf(referral.version)).header('location', `/api/referrals/${referral.id}`).send(referral);
    },
  );
};
