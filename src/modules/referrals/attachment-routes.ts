// /api/referrals/{id}/attachments: upload (multipart/form-data, one file in the field "file", an
// optional "description" field before it), list, and download. The caller's right to attach is checked
// before the file is read; the file is held to the size cap while it streams in.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError, validationFailed } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http-schemas.js';
import { callerOf } from '../identity/plugin.js';
import * as S from './schemas.js';
import type { ReferralService } from './service.js';
import { ACCEPTED_CONTENT_TYPES, readUpload } from './uploads.js';

const tags = ['attachments'];
const MAX_DESCRIPTION = 1000;

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ service: ReferralService; maxBytes: number }> = async (app, { service, maxBytes }) => {
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 1, parts: 2 } });

  app.post(
    '/referrals/:id/attachments',
    {
      schema: {
        tags,
        summary: `Attach a file (${ACCEPTED_CONTENT_TYPES.join(', ')}) as multipart/form-data: field "file", optional "description" before it`,
        consumes: ['multipart/form-data'],
        params: S.ReferralIdParams,
        response: { 201: S.Attachment, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async function attach(request, reply) {
      const caller = callerOf(request);
      if (!request.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data, in the field "file"');
      await service.assertMayAttach(caller, request.params.id);
      const part = await request.file();
      if (!part || part.fieldname !== 'file') throw validationFailed('file', 'send one file, in the field "file"');
      const description = descriptionOf(part.fields.description);
      const file = await readUpload(part, maxBytes);
      const attachment = await service.attachFile(caller, request.params.id, file, description);
      return reply.status(201).header('location', `/api/referrals/${request.params.id}/attachments/${attachment.id}`).send(attachment);
    },
  );

  app.get(
    '/referrals/:id/attachments',
    {
      schema: {
        tags,
        summary: "A referral's attachments, oldest first",
        params: S.ReferralIdParams,
        response: { 200: Type.Array(S.Attachment), ...errorResponses(400, 401, 404) },
      },
    },
    async function listAttachments(request) {
      return service.listAttachments(callerOf(request), request.params.id);
    },
  );

  app.get(
    '/referrals/:id/attachments/:attachmentId',
    {
      schema: {
        tags,
        summary: "Download an attachment's content (audited)",
        params: S.AttachmentIdParams,
        response: { 200: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'The file as uploaded' }), ...errorResponses(400, 401, 404) },
      },
    },
    async function downloadAttachment(request, reply) {
      const { attachment, bytes } = await service.downloadAttachment(callerOf(request), request.params.id, request.params.attachmentId);
      return reply
        .header('content-type', attachment.contentType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(bytes));
    },
  );
};

/** The optional description field, as text of a sensible length. */
function descriptionOf(field: unknown): string | undefined {
  if (field === undefined) return undefined;
  const value = (field as { value?: unknown }).value;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_DESCRIPTION) {
    throw validationFailed('description', `must be text of 1 to ${MAX_DESCRIPTION} characters`);
  }
  return value;
}
