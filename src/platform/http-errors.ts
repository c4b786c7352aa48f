// One error model for every surface (errorModelOf), rendered by each as its clients expect: JSON
// `{ code, message, ...details }` for /api, an OperationOutcome for /fhir, an HTML page for pages.
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
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** What every surface says about an error: status, stable code, a message safe to show, and details. */
export interface ErrorModel {
  status: number;
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/**
 * The one error model: the catalogue's errors as they are, schema violations as 400 naming the
 * field, framework and library errors by their status, anything else a 500 whose message is never
 * shown — only its kind and stack are logged, since messages of database errors can quote patient data.
 */
function errorModelOf(error: FastifyError | AppError | (Error & { status?: number; statusCode?: number }), request: FastifyRequest): ErrorModel {
  if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  const validation = (error as FastifyError).validation;
  if (validation) {
    const violation = validation[0] as SchemaViolation;
    const field = fieldOf((error as FastifyError).validationContext ?? 'body', violation);
    return { status: 400, code: 'VALIDATION_FAILED', message: `${field}: ${describe(violation)}`, details: { field } };
  }
  const status = (error as { status?: number }).status ?? (error as FastifyError).statusCode ?? 500;
  if ((error as FastifyError).code?.startsWith('FST_CSRF_')) {
    return {
      status: 403,
      code: 'FORBIDDEN',
      message: 'The form had expired or did not come from this service’s own page: open the page again and send it from there',
      details: {},
    };
  }
  if (status < 500) return { status, code: FRAMEWORK_CODES[status] ?? 'BAD_REQUEST', message: error.message, details: {} };
  request.log.error(
    { errorName: error.name, errorCode: (error as FastifyError).code, stack: error.stack?.split('\n').slice(1, 6).join('\n') },
    'request failed',
  );
  return { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', details: {} };
}

/** A Fastify error handler that renders the error model with `render` (JSON, OperationOutcome, an HTML page). */
export function errorHandler(render: (model: ErrorModel, request: FastifyRequest, reply: FastifyReply) => FastifyReply) {
  return (error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const model = errorModelOf(error, request);
    // RFC 6750 §3: a 401 says how to authenticate, and whether the token given was the trouble.
    if (model.status === 401) reply.header('www-authenticate', request.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer');
    return render(model, request, reply);
  };
}

/** `/api`: JSON `{ code, message, ...details }`. */
export const renderApiError = errorHandler((model, _request, reply) =>
  reply.status(model.status).send({ code: model.code, message: model.message, ...model.details }),
);

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
