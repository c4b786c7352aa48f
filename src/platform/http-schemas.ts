// Shapes shared by every JSON route: the error body, and helpers for declaring responses.
import Type from 'typebox';
import { ERROR_CODES } from './errors.js';

export const ErrorBody = Type.Object(
  { code: Type.Enum(ERROR_CODES), message: Type.String() },
  { title: 'Error', additionalProperties: true, description: 'An error from the catalogue; some carry more fields (field, missingResourceTypes, from, to)' },
);

/** A value that may be null. */
export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The error responses a route can give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}

const idempotencyKey = Type.String({ minLength: 1, maxLength: 200, description: 'Repeat the request safely: the first successful result is returned again' });
const ifMatch = Type.String({ maxLength: 50, description: 'The ETag the change is based on; 412 if it is stale' });

/** A create that may be repeated safely. */
export const IdempotencyKeyHeader = Type.Object({ 'idempotency-key': Type.Optional(idempotencyKey) }, { additionalProperties: true });
/** A change to a record as it was read. */
export const IfMatchHeader = Type.Object({ 'if-match': Type.Optional(ifMatch) }, { additionalProperties: true });
/** Both: a send may be repeated, and is of the draft as it was read. */
export const IdempotentChangeHeaders = Type.Object(
  { 'idempotency-key': Type.Optional(idempotencyKey), 'if-match': Type.Optional(ifMatch) },
  { additionalProperties: true },
);

/** A response that carries the record's version as its ETag. */
export function withETag<T extends object>(schema: T): T {
  return { ...schema, headers: { etag: { type: 'string', description: 'The version of the record, for If-Match' } } };
}

/** The largest id a row here can have (PostgreSQL `integer`). */
export const MAX_ROW_ID = 2_147_483_647;
/** A row's id in a path: a positive integer within the column's range. */
export const RowId = Type.Integer({ minimum: 1, maximum: MAX_ROW_ID });
