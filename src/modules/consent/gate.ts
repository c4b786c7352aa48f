// The consent gate the referral module sends through: in-process by default, or over HTTP
// (POST /api/consent/evaluate) when consent runs as its own service.
import { consentServiceUnavailable } from '../../platform/errors.js';
import type { EvaluateResult } from './schemas.js';
import type { ConsentQuery, ConsentService } from './service.js';

export interface ConsentGate {
  evaluate(query: ConsentQuery): Promise<EvaluateResult>;
}

export function inProcessConsentGate(service: ConsentService): ConsentGate {
  return { evaluate: (query) => service.evaluate(query) };
}

/**
 * Asks a consent service at `baseUrl`, authenticating with a service token from `serviceToken`.
 * Any answer but a decision is an error: the gate never permits on failure.
 */
export function httpConsentGate(baseUrl: string, serviceToken: () => Promise<string>): ConsentGate {
  const endpoint = new URL('/api/consent/evaluate', baseUrl);
  return {
    async evaluate(query) {
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await serviceToken()}` },
          body: JSON.stringify(query),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw consentServiceUnavailable((error as Error).message);
      }
      if (!response.ok) throw consentServiceUnavailable(`it answered ${response.status}`);
      return (await response.json()) as EvaluateResult;
    },
  };
}
