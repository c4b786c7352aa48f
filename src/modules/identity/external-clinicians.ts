// Clinicians who sign in at an external OpenID Connect provider (CLINICIAN_OIDC_*): its discovery
// document, read when first needed (and again after a failure), tells the web app where to sign in
// and /api where the provider's keys are. /api takes its access tokens when they carry the configured
// audience and name, in the configured claim, a practitioner — who then acts as a clinician in the
// directory's roles, like one signed in here.
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createRemoteJWKSet } from 'jose';
import type { ClinicianOidcSettings } from '../../config.js';
import type { SignInPlace } from '../../platform/clinician-app.js';
import { unauthenticated } from '../../platform/errors.js';
import { practitionerRef } from '../vocabulary/references.js';
import type { Caller } from './caller.js';
import { EXTERNAL_ALGORITHMS, type TrustedIssuer } from './tokens.js';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export function externalClinicianProvider(settings: ClinicianOidcSettings) {
  let discovery: Promise<Discovery> | undefined;
  const discover = () =>
    (discovery ??= readDiscovery(settings.issuer).catch((error: unknown) => {
      discovery = undefined;
      throw error;
    }));
  let jwks: JWTVerifyGetKey | undefined;
  const keys: JWTVerifyGetKey = async (header, token) => {
    jwks ??= createRemoteJWKSet(new URL((await discover()).jwks_uri));
    return jwks(header, token);
  };

  /** The practitioner the configured claim names, acting as a clinician. */
  const callerOf = (claims: JWTPayload): Caller => {
    const named = claims[settings.practitionerClaim];
    if (typeof named !== 'string' || named === '') throw unauthenticated(`The token names no practitioner in its ${settings.practitionerClaim} claim`);
    const practitioner = named.startsWith('Practitioner/') ? named : practitionerRef(named);
    return { sub: `practitioner:${practitioner.slice('Practitioner/'.length)}`, fhirUser: practitioner, roles: ['clinician'] };
  };

  const trusted: TrustedIssuer = {
    issuer: settings.issuer,
    key: keys,
    algorithms: EXTERNAL_ALGORITHMS,
    audience: settings.audience,
    clientId: settings.clientId,
    callerOf,
  };

  return {
    trusted,
    async signInPlace(): Promise<SignInPlace> {
      const found = await discover();
      return { authorizationEndpoint: found.authorization_endpoint, tokenEndpoint: found.token_endpoint, clientId: settings.clientId, scope: settings.scope };
    },
  };
}

async function readDiscovery(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`The clinicians' identity provider's discovery answered ${response.status}`);
  const found = (await response.json()) as Discovery;
  if (found.issuer !== issuer) throw new Error(`The clinicians' identity provider names itself ${found.issuer}, not ${issuer}`);
  return found;
}
