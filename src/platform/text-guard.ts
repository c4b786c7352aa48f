// PostgreSQL text cannot hold a NUL character: a request carrying one anywhere — path, query string
// or body — is refused up front with 400 naming the field, before any handler or database sees it.
import type { FastifyRequest } from 'fastify';
import { validationFailed } from './errors.js';

/** The path of the first string within `value` that holds a NUL character, or undefined. */
export function fieldWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = fieldWithNul(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = (key.includes('\u0000') && `${path}.${key}`) || fieldWithNul(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** A preValidation hook: 400 VALIDATION_FAILED for a NUL character in the path, query or body. */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  const path = request.url.split('?')[0]!;
  const field =
    (path.includes('%00') || path.includes('\u0000') ? 'path' : undefined) ?? fieldWithNul(request.query, 'query') ?? fieldWithNul(request.body, 'body');
  if (field) throw validationFailed(field, 'must not contain a NUL character');
}
