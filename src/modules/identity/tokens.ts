// Bearer tokens: verification (the instance's own key, or an external identity provider's JWKS)
// and minting (demo identities, service-to-service calls). RFC 7519, RFC 8725 (JWT BCP).
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { unauthenticated } from '../../platform/errors.js';
import { SIGNING_ALG, type SigningKey } from '../../platform/keys.js';
import { callerFromClaims, type Caller } from './caller.js';
import { VerifiedTokens } from './verified-tokens.js';

/** Algorithms an external identity provider may use; never `none`, never HMAC (RFC 8725 §3.1). */
const EXTERNAL_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export interface TokenSettings {
  issuer: string;
  audience: string;
  jwksUrl?: string;
}

export type TokenVerifier = (token: string) => Promise<Caller>;

export function createTokenVerifier(settings: TokenSettings, ownKey: SigningKey): TokenVerifier {
  const key = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : ownKey.publicKey;
  const algorithms = settings.jwksUrl ? EXTERNAL_ALGORITHMS : [SIGNING_ALG];
  const verified = new VerifiedTokens();
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms,
        requiredClaims: ['exp', 'sub'],
      });
      const caller = callerFromClaims(payload);
      verified.remember(token, caller, payload.exp!);
      return caller;
    } catch (error) {
      throw unauthenticated(describeRejection(error));
    }
  };
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
