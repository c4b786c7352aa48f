// Renders every error of the JSON API as `{ code, message, ...details }` with the catalogue's status;
// schema violations become 400 VALIDATION_FAILED naming the field.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from './errors.js';

interface SchemaViolation {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

const FRAMEWORK_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

export function renderApiError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    // RFC 6750 §3: a 401 says how to authenticate, and whether the token given was the trouble.
    if (error.status === 401) reply.header('www-authenticate', request.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer');
    return reply.status(error.status).send({ code: error.code, message: error.message, ...error.details });
  }
  if (error.validation) {
    const field = fieldOf(error.validationContext ?? 'body', error.validation[0] as SchemaViolation);
    const message = `${field}: ${describe(error.validation[0] as SchemaViolation)}`;
    return reply.status(400).send({ code: 'VALIDATION_FAILED', message, field });
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    return reply.status(status).send({ code: FRAMEWORK_CODES[status] ?? 'BAD_REQUEST', message: error.message });
  }
  // Only the error's kind and stack are logged: messages of database errors can quote patient data.
  request.log.error({ errorName: error.name, errorCode: error.code, stack: error.stack?.split('\n').slice(1, 6).join('\n') }, 'request failed');
  return reply.status(500).send({ code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' });
}

/** `body.sharedResourceTypes[1]`, `query.limit`, `body.priority`… */
function fieldOf(context: string, violation: SchemaViolation): string {
  const part = context === 'querystring' ? 'query' : context;
  const path = violation.instancePath
    .split('/')
    .filter(Boolean)
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('');
  const child = violation.params.missingProperty ?? violation.params.additionalProperty;
  return `${part}${path}${child ? `.${String(child)}` : ''}`;
}

function describe(violation: SchemaViolation): string {
  if (violation.keyword === 'required') return 'is required';
  if (violation.keyword === 'additionalProperties') return 'is not a known field';
  if (violation.keyword === 'enum' || violation.keyword === 'anyOf') return 'is not one of the allowed values';
  if (violation.keyword === 'minProperties') return 'must name at least one field';
  return violation.message ?? 'is invalid';
}
