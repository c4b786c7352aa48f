// Tokens this instance presents to its own services (the consent service over HTTP): its own, role
// `service`, short-lived, re-minted a minute before they expire; and, for a patient it has signed in
// (the SMART sign-in), one that acts for that patient for a minute.
import type { Clock } from '../../platform/clock.js';
import type { SigningKey } from '../../platform/keys.js';
import type { Caller } from './caller.js';
import { mintToken } from './tokens.js';

const TTL_SECONDS = 300;
const RENEW_BEFORE_MS = 60_000;

const ACTING_FOR_TTL_SECONDS = 60;

export interface OwnTokens {
  service(): Promise<string>;
  /** A token acting for a patient this instance signed in itself. */
  actingFor(patient: Caller): Promise<string>;
}

export function ownTokens(key: SigningKey, jwt: { issuer: string; audience: string }, clock: Clock): OwnTokens {
  return {
    service: serviceTokenSource(key, jwt, clock),
    actingFor: ({ sub, roles, fhirUser, patient }) =>
      mintToken(key, { sub, roles, fhirUser, patient }, { ...jwt, ttlSeconds: ACTING_FOR_TTL_SECONDS, now: clock.now() }),
  };
}

function serviceTokenSource(key: SigningKey, jwt: { issuer: string; audience: string }, clock: Clock) {
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
