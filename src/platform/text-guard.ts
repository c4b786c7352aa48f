// Text that cannot be stored as it was sent is refused up front with 400 naming the field, before
// any handler or database sees it: PostgreSQL text holds no NUL character, and a lone UTF-16
// surrogate (a broken `\ud800` escape in JSON) has no UTF-8 form, so it would be stored as
// something else than what was hashed into the audit chain.
import type { FastifyRequest } from 'fastify';
import { validationFailed } from './errors.js';

const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const unstorable = (text: string) => text.includes(NUL) || LONE_SURROGATE.test(text);

/** The path of the first string within `value` (key or value) that cannot be stored as sent, or undefined. */
function unstorableField(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorableField(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = (unstorable(key) && `${path}.${key}`) || unstorableField(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** A preValidation hook: 400 VALIDATION_FAILED for a NUL character or a lone surrogate in the path, query or body. */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  const path = request.url.split('?')[0]!;
  const field =
    (path.includes('%00') || path.includes(NUL) ? 'path' : undefined) ?? unstorableField(request.query, 'query') ?? unstorableField(request.body, 'body');
  if (field) throw validationFailed(field, 'must not contain a NUL character or a lone surrogate (text that has no UTF-8 form)');
}
