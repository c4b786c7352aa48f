// Attachments on referrals (/api/referrals/{id}/attachments) and on advice requests
// (/api/advice-requests/{id}/attachments): upload as multipart/form-data (one file in the field
// "file", an optional "description" field before it), list, and download. The caller's right to
// attach is checked before the file is read; the file is held to the size cap while it streams in.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError, validationFailed } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http-schemas.js';
import type { Caller } from '../identity/caller.js';
import { callerOf } from '../identity/plugin.js';
import * as S from './schemas.js';
import type { ReferralService } from './service.js';
import { ACCEPTED_CONTENT_TYPES, readUpload, type UploadedFile } from './uploads.js';

const tags = ['attachments'];
const MAX_DESCRIPTION = 1000;

/** The use cases behind one owner's attachment routes. */
interface AttachmentOwner {
  /** Path segment and names: `referrals`, "referral", and `Referral` in its operations' ids. */
  path: string;
  name: string;
  operation: string;
  mayAttach(caller: Caller, id: number): Promise<void>;
  attach(caller: Caller, id: number, file: UploadedFile, description?: string): Promise<S.AttachmentView>;
  list(caller: Caller, id: number): Promise<S.AttachmentView[]>;
  download(caller: Caller, id: number, attachmentId: number): Promise<{ attachment: S.AttachmentView; bytes: Uint8Array }>;
}

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ service: ReferralService; maxBytes: number }> = async (app, { service, maxBytes }) => {
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 1, parts: 2 } });
  const owners: AttachmentOwner[] = [
    {
      path: 'referrals',
      name: 'referral',
      operation: 'Referral',
      mayAttach: service.assertMayAttach,
      attach: service.attachFile,
      list: service.listAttachments,
      download: service.downloadAttachment,
    },
    {
      path: 'advice-requests',
      name: 'advice request',
      operation: 'AdviceRequest',
      mayAttach: service.assertMayAttachToAdvice,
      attach: service.attachFileToAdvice,
      list: service.listAdviceAttachments,
      download: service.downloadAdviceAttachment,
    },
  ];

  for (const owner of owners) {
    app.post(
      `/${owner.path}/:id/attachments`,
      {
        schema: {
          operationId: `attachTo${owner.operation}`,
          tags,
          summary: `Attach a file (${ACCEPTED_CONTENT_TYPES.join(', ')}) to a ${owner.name}: multipart/form-data, field "file", optional "description" before it`,
          consumes: ['multipart/form-data'],
          params: S.ReferralIdParams,
          response: { 201: S.Attachment, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => receiveFile(owner, request, request.params.id, reply, maxBytes),
    );

    app.get(
      `/${owner.path}/:id/attachments`,
      {
        schema: {
          operationId: `list${owner.operation}Attachments`,
          tags,
          summary: `A ${owner.name}'s attachments, oldest first`,
          params: S.ReferralIdParams,
          response: { 200: Type.Array(S.Attachment), ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => owner.list(callerOf(request), request.params.id),
    );

    app.get(
      `/${owner.path}/:id/attachments/:attachmentId`,
      {
        schema: {
          operationId: `download${owner.operation}Attachment`,
          tags,
          summary: `Download an attachment of a ${owner.name} (audited)`,
          params: S.AttachmentIdParams,
          response: {
            200: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'The file as uploaded' }),
            ...errorResponses(400, 401, 404),
          },
        },
      },
      async (request, reply) => {
        const { attachment, bytes } = await owner.download(callerOf(request), request.params.id, request.params.attachmentId);
        return reply
          .header('content-type', attachment.contentType)
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`)
          .header('cache-control', 'no-store')
          .send(Buffer.from(bytes));
      },
    );
  }
};

async function receiveFile(owner: AttachmentOwner, request: FastifyRequest, id: number, reply: FastifyReply, maxBytes: number) {
  const caller = callerOf(request);
  if (!request.isMultipart()) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data, in the field "file"');
  await owner.mayAttach(caller, id);
  const part = await request.file();
  if (!part || part.fieldname !== 'file') throw validationFailed('file', 'send one file, in the field "file"');
  const description = descriptionOf(part.fields.description);
  const file = await readUpload(part, maxBytes);
  const attachment = await owner.attach(caller, id, file, description);
  return reply.status(201).header('location', `/api/${owner.path}/${id}/attachments/${attachment.id}`).send(attachment);
}

/** The optional description field, as text of a sensible length. */
function descriptionOf(field: unknown): string | undefined {
  if (field === undefined) return undefined;
  const value = (field as { value?: unknown }).value;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_DESCRIPTION) {
    throw validationFailed('description', `must be text of 1 to ${MAX_DESCRIPTION} characters`);
  }
  return value;
}
