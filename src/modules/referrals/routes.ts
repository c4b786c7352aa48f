// /api/referrals: wiring of paths, schemas and the referral service; rules live in the service.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import { errorResponses, IdempotencyKeyHeader, IdempotentChangeHeaders, IfMatchHeader, withETag } from '../../platform/http-schemas.js';
import { etagOf } from '../../platform/versioning.js';
import { callerOf } from '../identity/plugin.js';
import * as S from './schemas.js';
import * as W from './worklist-schemas.js';
import type { ReferralService } from './service.js';

const tags = ['referrals'];
const referralResponse = (status: number, ...errors: number[]) => ({ [status]: withETag(S.Referral), ...errorResponses(400, 401, 403, 404, ...errors) });

/** Every referral response carries its version as ETag. */
function sendReferral(reply: FastifyReply, status: number, referral: S.ReferralView) {
  return reply.status(status).header('etag', etagOf(referral.version)).send(referral);
}

export const referralRoutes: FastifyPluginAsyncTypebox<{ service: ReferralService }> = async (app, { service }) => {
  app.post(
    '/referrals',
    { schema: { tags, summary: 'Create a draft referral', body: S.CreateReferralBody, headers: IdempotencyKeyHeader, response: referralResponse(201, 422) } },
    async function createReferral(request, reply) {
      const outcome = await service.createReferral(callerOf(request), request.body, request.headers['idempotency-key']);
      return sendReferral(reply, outcome.statusCode, outcome.body);
    },
  );

  app.get(
    '/referrals',
    {
      schema: {
        tags,
        summary: "List the caller's side's referrals",
        querystring: S.ListReferralsQuery,
        response: { 200: S.ReferralPage, ...errorResponses(400, 401, 403) },
      },
    },
    async function listReferrals(request) {
      return service.listReferrals(callerOf(request), request.query);
    },
  );

  app.get(
    '/referrals/choices',
    {
      schema: {
        tags,
        summary: 'What a new referral is chosen from: kinds and reasons by name, and the response time each priority means here',
        response: { 200: S.ReferralChoices, ...errorResponses(401, 403) },
      },
    },
    async function referralChoices(request) {
      return service.referralChoices(callerOf(request));
    },
  );

  app.get(
    '/referrals/inbox',
    {
      schema: {
        tags,
        summary: "A receiving organisation's open referrals, most urgent first",
        querystring: S.InboxQuery,
        response: { 200: S.ReferralPage, ...errorResponses(400, 401, 403) },
      },
    },
    async function inbox(request) {
      return service.inbox(callerOf(request), request.query);
    },
  );

  app.get(
    '/worklists',
    {
      schema: {
        tags,
        summary: "The caller's worklists with their counts: the referrer's and, for a receiver, the receiving side's",
        response: { 200: W.WorklistSummary, ...errorResponses(401, 403) },
      },
    },
    async function worklists(request) {
      return service.worklists(callerOf(request));
    },
  );

  app.get(
    '/worklists/:name',
    {
      schema: {
        tags,
        summary: "A worklist's referrals, soonest due first",
        params: W.WorklistParams,
        querystring: W.WorklistQuery,
        response: { 200: W.WorklistPage, ...errorResponses(400, 401, 403) },
      },
    },
    async function worklist(request) {
      return service.worklist(callerOf(request), request.params.name, request.query);
    },
  );

  app.get(
    '/referrals/:id',
    { schema: { tags, summary: 'Read a referral', params: S.ReferralIdParams, response: referralResponse(200) } },
    async function getReferral(request, reply) {
      return sendReferral(reply, 200, await service.getReferral(callerOf(request), request.params.id));
    },
  );

  app.patch(
    '/referrals/:id',
    {
      schema: {
        tags,
        summary: 'Edit a draft',
        params: S.ReferralIdParams,
        body: S.EditReferralBody,
        headers: IfMatchHeader,
        response: referralResponse(200, 409, 412),
      },
    },
    async function editDraft(request, reply) {
      const referral = await service.editDraft(callerOf(request), request.params.id, request.body, request.headers['if-match']);
      return sendReferral(reply, 200, referral);
    },
  );

  app.post(
    '/referrals/:id/send',
    {
      schema: {
        tags,
        summary: 'Send through the consent gate',
        params: S.ReferralIdParams,
        headers: IdempotentChangeHeaders,
        response: referralResponse(200, 409, 412, 422, 503),
      },
    },
    async function send(request, reply) {
      const outcome = await service.sendReferral(callerOf(request), request.params.id, {
        idempotencyKey: request.headers['idempotency-key'],
        ifMatch: request.headers['if-match'],
      });
      return sendReferral(reply, outcome.statusCode, outcome.body);
    },
  );

  const reasonSchema = (summary: string) => ({
    tags,
    summary,
    params: S.ReferralIdParams,
    querystring: S.ReasonQuery,
    body: S.ReasonBody,
    headers: IfMatchHeader,
    response: referralResponse(200, 409, 412),
  });

  app.post('/referrals/:id/hold', { schema: reasonSchema('Put an active referral on hold') }, async function hold(request, reply) {
    const reason = request.query.reason ?? request.body?.reason;
    return sendReferral(reply, 200, await service.holdReferral(callerOf(request), request.params.id, reason, request.headers['if-match']));
  });

  app.post('/referrals/:id/resume', { schema: reasonSchema('Resume a referral on hold') }, async function resume(request, reply) {
    return sendReferral(reply, 200, await service.resumeReferral(callerOf(request), request.params.id, request.headers['if-match']));
  });

  app.post('/referrals/:id/revoke', { schema: reasonSchema('Revoke a referral, cancelling its open tasks') }, async function revoke(request, reply) {
    const reason = request.query.reason ?? request.body?.reason;
    return sendReferral(reply, 200, await service.revokeReferral(callerOf(request), request.params.id, reason, request.headers['if-match']));
  });

  const moveSchema = (summary: string) => ({
    tags,
    summary,
    params: S.ReferralIdParams,
    body: S.MoveReferralBody,
    headers: IfMatchHeader,
    response: referralResponse(200, 409, 412, 422, 503),
  });

  app.post(
    '/referrals/:id/redirect',
    { schema: moveSchema('The referrer moves the referral to another organisation (while no task is accepted, or after a rejection)') },
    async function redirect(request, reply) {
      return sendReferral(reply, 200, await service.redirectReferral(callerOf(request), request.params.id, request.body, request.headers['if-match']));
    },
  );

  app.post(
    '/referrals/:id/forward',
    { schema: moveSchema('The receiver passes the referral on to another organisation, before accepting it') },
    async function forward(request, reply) {
      return sendReferral(reply, 200, await service.forwardReferral(callerOf(request), request.params.id, request.body, request.headers['if-match']));
    },
  );

  app.post(
    '/referrals/:id/return-with-advice',
    {
      schema: {
        tags,
        summary: 'The receiver answers with advice instead of seeing the patient; the referral completes with that outcome',
        params: S.ReferralIdParams,
        body: S.AdviceBody,
        headers: IfMatchHeader,
        response: referralResponse(200, 409, 412),
      },
    },
    async function returnWithAdvice(request, reply) {
      const referral = await service.returnWithAdvice(callerOf(request), request.params.id, request.body.advice, request.headers['if-match']);
      return sendReferral(reply, 200, referral);
    },
  );

  app.get(
    '/referrals/:id/tasks',
    {
      schema: {
        tags,
        summary: "A referral's tasks with their notes",
        params: S.ReferralIdParams,
        response: { 200: Type.Array(S.Task), ...errorResponses(400, 401, 404) },
      },
    },
    async function listTasks(request) {
      return service.listTasks(callerOf(request), request.params.id);
    },
  );

  app.patch(
    '/referrals/:id/tasks/:taskId',
    {
      schema: {
        tags,
        summary: 'Move a task on, add a note, or reject',
        params: S.TaskIdParams,
        body: S.UpdateTaskBody,
        headers: IfMatchHeader,
        response: { 200: withETag(S.Task), ...errorResponses(400, 401, 403, 404, 409, 412) },
      },
    },
    async function updateTask(request, reply) {
      const task = await service.updateReferralTask(callerOf(request), request.params.id, request.params.taskId, request.body, request.headers['if-match']);
      return reply.header('etag', etagOf(task.version)).send(task);
    },
  );

  app.get(
    '/referrals/:id/history',
    {
      schema: {
        tags,
        summary: "The referral's audit trail, oldest first",
        params: S.ReferralIdParams,
        response: { 200: Type.Array(S.AuditEntry), ...errorResponses(400, 401, 404) },
      },
    },
    async function history(request) {
      return service.history(callerOf(request), request.params.id);
    },
  );
};
