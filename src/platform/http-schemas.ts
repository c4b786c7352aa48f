// Shapes shared by every JSON route: the error body, and helpers for declaring responses.
import Type from 'typebox';

export const ErrorBody = Type.Object(
  { code: Type.String(), message: Type.String() },
  { additionalProperties: true, description: 'An error from the catalogue; some carry more fields (field, missingResourceTypes, from, to)' },
);

/** The error responses a route can give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}

export const IdempotencyHeaders = Type.Object(
  {
    'idempotency-key': Type.Optional(Type.String({ description: 'Repeat the request safely: the first result is returned again' })),
    'if-match': Type.Optional(Type.String({ description: 'The ETag the change is based on; 412 if it is stale' })),
  },
  { additionalProperties: true },
);

/** The largest id a row here can have (PostgreSQL `integer`). */
export const MAX_ROW_ID = 2_147_483_647;
/** A row's id in a path: a positive integer within the column's range. */
export const RowId = Type.Integer({ minimum: 1, maximum: MAX_ROW_ID });
