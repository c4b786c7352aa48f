// Authentication for /api: every request must carry a verified bearer token (RFC 6750), which
// becomes `request.caller`.
import type { FastifyRequest } from 'fastify';
import { unauthenticated } from '../../platform/errors.js';
import type { Caller } from './caller.js';
import type { TokenVerifier } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const BEARER = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/i;

/** An onRequest hook that verifies the bearer token or answers 401. */
export function authenticate(verify: TokenVerifier) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw unauthenticated('Authorization: Bearer <token> is required');
    request.caller = await verify(token);
  };
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthenticated();
  return request.caller;
}
