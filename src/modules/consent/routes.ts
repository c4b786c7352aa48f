// /api/consent: patients' grants and the evaluate endpoint the consent gate calls.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../platform/http-schemas.js';
import { requireRole, type Caller } from '../identity/caller.js';
import { callerOf } from '../identity/plugin.js';
import * as S from './schemas.js';
import type { ConsentService } from './service.js';

const tags = ['consent'];

/** A grant made by a patient this hub signed in for a SMART app (its consent screen) is recorded as such. */
const sourceOf = (caller: Caller) => (caller.sub.startsWith('smart:') ? 'smart' : 'api');

export const consentRoutes: FastifyPluginAsyncTypebox<{ service: ConsentService }> = async (app, { service }) => {
  app.post(
    '/consent',
    {
      schema: {
        tags,
        summary: 'Grant consent to share resource types with a SMART client',
        body: S.GrantConsentBody,
        response: { 201: S.GrantList, ...errorResponses(400, 401, 403, 422) },
      },
    },
    async function grantConsent(request, reply) {
      const caller = callerOf(request);
      const grants = await service.grantConsent(caller, request.body, sourceOf(caller));
      return reply.status(201).send({ grants });
    },
  );

  app.get(
    '/consent',
    {
      schema: {
        tags,
        summary: "A patient's consent grants",
        querystring: S.ListConsentQuery,
        response: { 200: S.GrantList, ...errorResponses(400, 401, 403) },
      },
    },
    async function listGrants(request) {
      return { grants: await service.listGrants(callerOf(request), request.query) };
    },
  );

  app.post(
    '/consent/:id/revoke',
    { schema: { tags, summary: 'Revoke a grant', params: S.GrantIdParams, response: { 200: S.ConsentGrant, ...errorResponses(400, 401, 404) } } },
    async function revokeGrant(request) {
      return service.revokeGrant(callerOf(request), request.params.id);
    },
  );

  app.post(
    '/consent/evaluate',
    {
      schema: {
        tags,
        summary: 'Does consent permit sharing these types with this client now?',
        body: S.EvaluateBody,
        response: { 200: S.EvaluateResponse, ...errorResponses(400, 401, 403) },
      },
    },
    async function evaluate(request) {
      return service.evaluateFor(callerOf(request), request.body);
    },
  );

  app.get(
    '/consent/changes',
    {
      schema: {
        tags,
        summary: 'The patients and apps whose consent changed in a window of time (a grant made, revoked, starting or ending)',
        querystring: S.ConsentChangesQuery,
        response: { 200: S.ConsentChangeList, ...errorResponses(400, 401, 403) },
      },
    },
    async function consentChanges(request) {
      requireRole(callerOf(request), 'service', 'admin');
      return { changes: await service.changesBetween({ from: new Date(request.query.from), to: new Date(request.query.to) }) };
    },
  );
};
