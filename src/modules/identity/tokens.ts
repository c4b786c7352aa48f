// Bearer tokens: verification (the instance's own key, or an external identity provider's JWKS)
// and minting (demo identities, service-to-service calls). RFC 7519, RFC 8725 (JWT BCP).
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { unauthenticated } from '../../platform/errors.js';
import type { Clock } from '../../platform/clock.js';
import { SIGNING_ALG, type SigningKey } from '../../platform/keys.js';
import { callerFromClaims, type Caller } from './caller.js';
import { VerifiedTokens } from './verified-tokens.js';

/** The longest an API token may live, and how far clocks may disagree (RFC 8725 §3.10, RFC 7519 §4.1.4). */
const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;
const CLOCK_SKEW_SECONDS = 60;

/** Algorithms an external identity provider may use; never `none`, never HMAC (RFC 8725 §3.1). */
export const EXTERNAL_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export interface TokenSettings {
  issuer: string;
  audience: string;
  jwksUrl?: string;
}

export type TokenVerifier = (token: string) => Promise<Caller>;

/**
 * Another issuer whose tokens the API takes: this service's own authorization server signing in
 * clinicians, or an external OpenID Connect provider they sign in at (external-clinicians.ts).
 */
export interface TrustedIssuer {
  issuer: string;
  key: CryptoKey | JWTVerifyGetKey;
  algorithms: string[];
  audience: string;
  /** The token type its access tokens must declare (RFC 9068 `at+jwt`), when it declares one. */
  typ?: string;
  /** The only client whose access tokens are taken, when the token names its client (`client_id`, `azp`). */
  clientId?: string;
  /** Whom an accepted token's claims name; `callerFromClaims` when absent. */
  callerOf?: (claims: JWTPayload) => Caller;
}

export function createTokenVerifier(settings: TokenSettings, ownKey: SigningKey, clock: Clock, trusted: TrustedIssuer[] = []): TokenVerifier {
  const own: TrustedIssuer = {
    issuer: settings.issuer,
    key: settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : ownKey.publicKey,
    algorithms: settings.jwksUrl ? EXTERNAL_ALGORITHMS : [SIGNING_ALG],
    audience: settings.audience,
  };
  const verified = new VerifiedTokens(clock);
  /** The issuer a token is checked against: the trusted one it names, else the API's own. */
  const checkedBy = (token: string) => trusted.find((issuer) => issuer.issuer === decodeJwt(token).iss) ?? own;
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    try {
      const by = checkedBy(token);
      const { payload } = await jwtVerify(token, by.key as Parameters<typeof jwtVerify>[1], {
        issuer: by.issuer,
        audience: by.audience,
        algorithms: by.algorithms,
        typ: by.typ,
        requiredClaims: ['exp', 'sub', 'iat'],
        currentDate: clock.now(),
      });
      const client = payload.client_id ?? payload.azp;
      if (by.clientId && client !== undefined && client !== by.clientId) throw unauthenticated('The token was not issued to the clinician app');
      if (by.clientId && by.typ && client === undefined) throw unauthenticated('The token names no client');
      assertLifetime(payload, clock.now());
      const caller = (by.callerOf ?? callerFromClaims)(payload);
      verified.remember(token, caller, payload.exp!);
      return caller;
    } catch (error) {
      throw unauthenticated(describeRejection(error));
    }
  };
}

/** Issued now or before (give or take the clock skew), and for no longer than the longest lifetime. */
function assertLifetime({ iat, exp }: JWTPayload, now: Date): void {
  if (typeof iat !== 'number' || iat > now.getTime() / 1000 + CLOCK_SKEW_SECONDS) throw unauthenticated('The token was issued in the future');
  if (exp! - iat > MAX_TOKEN_LIFETIME_SECONDS) throw unauthenticated(`The token lives longer than ${MAX_TOKEN_LIFETIME_SECONDS / 3600} hours`);
}

function describeRejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "The token's algorithm is not accepted";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature is invalid";
  if (error instanceof Error && 'status' in error) return error.message;
  return 'The token could not be verified';
}

export interface MintOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  now?: Date;
}

/** Signs a token for `claims` with the instance's own key. */
export function mintToken(key: SigningKey, claims: JWTPayload & { sub: string }, options: MintOptions): Promise<string> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .sign(key.privateKey);
}
