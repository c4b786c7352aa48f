// Authentication for /api: every request must carry a verified bearer token (RFC 6750), which
// becomes `request.caller`.
import type { FastifyRequest } from 'fastify';
import { directoryRuleBroken, unauthenticated } from '../../platform/errors.js';
import type { Membership } from '../vocabulary/roles.js';
import { hasRole, type Caller } from './caller.js';
import type { TokenVerifier } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const BEARER = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/i;

/** What identity asks the directory (directory/lookup.ts answers it): whom it knows, and in which roles. */
export interface CallerDirectory {
  isAdministrator(username: string): Promise<boolean>;
  /** A practitioner's active memberships; undefined when the directory has no such active practitioner. */
  membershipsOf(practitionerRef: string): Promise<Membership[] | undefined>;
}

/** An onRequest hook that verifies the bearer token (or answers 401) and resolves the caller in the directory. */
export function authenticate(verify: TokenVerifier, directory: CallerDirectory) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw unauthenticated('Authorization: Bearer <token> is required');
    request.caller = await resolveInDirectory(await verify(token), directory);
  };
}

/**
 * A clinician acts for the organisations and in the roles the directory gives their practitioner
 * (`fhirUser`); an administrator must be one the directory knows. Anyone else acts by their token.
 */
async function resolveInDirectory(caller: Caller, directory: CallerDirectory): Promise<Caller> {
  if (hasRole(caller, 'admin') && !(await directory.isAdministrator(caller.sub))) {
    throw directoryRuleBroken(403, 'ADMINISTRATOR_NOT_IN_DIRECTORY', `${caller.sub} is not an active administrator of this instance`);
  }
  if (!hasRole(caller, 'clinician')) return caller;
  const memberships = caller.fhirUser ? await directory.membershipsOf(caller.fhirUser) : undefined;
  if (!memberships) {
    throw directoryRuleBroken(
      403,
      'PRACTITIONER_NOT_IN_DIRECTORY',
      `${caller.fhirUser ?? 'A clinician token without fhirUser'} is not an active practitioner of the directory: ask an administrator to add you`,
    );
  }
  return { ...caller, memberships };
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthenticated();
  return request.caller;
}
