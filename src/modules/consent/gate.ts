// The consent gate the referral module sends through: in-process by default, or over HTTP
// (POST /api/consent/evaluate) when consent runs as its own service.
import { consentServiceUnavailable } from '../../platform/errors.js';
import { FHIR_R4_RESOURCE_TYPES } from '../vocabulary/resource-types.js';
import type { EvaluateResult } from './schemas.js';
import type { ConsentQuery, ConsentService } from './service.js';

export interface ConsentGate {
  evaluate(query: ConsentQuery): Promise<EvaluateResult>;
  /** The types the patient has consented to share with the app now. */
  consentedTypes(query: { patientId: string; clientId: string }): Promise<string[]>;
}

/** The most types one evaluation over HTTP may name (the API's limit). */
const EVALUATE_LIMIT = 50;

export function inProcessConsentGate(service: ConsentService): ConsentGate {
  return { evaluate: (query) => service.evaluate(query), consentedTypes: (query) => service.consentedTypes(query) };
}

/**
 * Asks a consent service at `baseUrl`, authenticating with a service token from `serviceToken`.
 * Any answer but a decision is an error: the gate never permits on failure.
 */
export function httpConsentGate(baseUrl: string, serviceToken: () => Promise<string>): ConsentGate {
  const endpoint = new URL('/api/consent/evaluate', baseUrl);
  async function evaluate(query: ConsentQuery): Promise<EvaluateResult> {
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
  }
  return {
    evaluate,
    /** Every R4 type, asked in parts of at most EVALUATE_LIMIT: the ones permitted. */
    async consentedTypes(query) {
      const types = [...FHIR_R4_RESOURCE_TYPES];
      const parts = Array.from({ length: Math.ceil(types.length / EVALUATE_LIMIT) }, (_, n) => types.slice(n * EVALUATE_LIMIT, (n + 1) * EVALUATE_LIMIT));
      const results = await Promise.all(parts.map((resourceTypes) => evaluate({ ...query, resourceTypes })));
      return results.flatMap((result) => result.decisions.filter((d) => d.decision === 'permit').map((d) => d.resourceType));
    },
  };
}
