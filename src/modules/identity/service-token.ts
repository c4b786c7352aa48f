// Tokens this instance presents to its own services (the consent service over HTTP): role
// `service`, short-lived, re-minted a minute before they expire.
import type { Clock } from '../../platform/clock.js';
import type { SigningKey } from '../../platform/keys.js';
import { mintToken } from './tokens.js';

const TTL_SECONDS = 300;
const RENEW_BEFORE_MS = 60_000;

export function serviceTokenSource(key: SigningKey, jwt: { issuer: string; audience: string }, clock: Clock) {
  let cached: { token: string; expiresAt: number } | undefined;
  return async (): Promise<string> => {
    const now = clock.now();
    if (!cached || cached.expiresAt - RENEW_BEFORE_MS <= now.getTime()) {
      const token = await mintToken(key, { sub: 'referral-hub', roles: ['service'] }, { ...jwt, ttlSeconds: TTL_SECONDS, now });
      cached = { token, expiresAt: now.getTime() + TTL_SECONDS * 1000 };
    }
    return cached.token;
  };
}
