// The consent service as the referral side reaches it — the send's gate, /fhir enforcement and the
// SMART consent screen: in-process by default, or over HTTP (/api/consent) when consent runs as its
// own service.
import { AppError, consentServiceUnavailable, type ErrorCode } from '../../platform/errors.js';
import type { Caller } from '../identity/caller.js';
import type { OwnTokens } from '../identity/service-token.js';
import { FHIR_R4_RESOURCE_TYPES } from '../vocabulary/resource-types.js';
import type { EvaluateResult } from './schemas.js';
import type { ConsentChange, ConsentQuery, ConsentService, ConsentWindow } from './service.js';

export interface ConsentGate {
  evaluate(query: ConsentQuery): Promise<EvaluateResult>;
  /** The types the patient has consented to share with the app now. */
  consentedTypes(query: { patientId: string; clientId: string }): Promise<string[]>;
  /** The patient's own grants, made on the SMART consent screen (source `smart`). */
  grantFromSmartSignIn(patient: Caller, grant: ConsentQuery): Promise<void>;
  /** The patients and apps whose consent changed in a window of time. */
  changesBetween(window: ConsentWindow): Promise<ConsentChange[]>;
}

/** The most types one evaluation over HTTP may name (the API's limit). */
const EVALUATE_LIMIT = 50;

export function inProcessConsentGate(service: ConsentService): ConsentGate {
  return {
    evaluate: (query) => service.evaluate(query),
    consentedTypes: (query) => service.consentedTypes(query),
    grantFromSmartSignIn: async (patient, grant) => void (await service.grantConsent(patient, grant, 'smart')),
    changesBetween: (window) => service.changesBetween(window),
  };
}

/**
 * Asks a consent service at `baseUrl`: evaluations with this instance's service token, a patient's
 * grants with a token acting for that patient. Any answer but a decision is an error: the gate never
 * permits on failure.
 */
export function httpConsentGate(baseUrl: string, tokens: OwnTokens): ConsentGate {
  async function post(path: string, token: string, body: unknown): Promise<Response> {
    try {
      return await fetch(new URL(path, baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw consentServiceUnavailable((error as Error).message);
    }
  }
  async function evaluate(query: ConsentQuery): Promise<EvaluateResult> {
    const response = await post('/api/consent/evaluate', await tokens.service(), query);
    if (!response.ok) throw consentServiceUnavailable(`it answered ${response.status}`);
    return (await response.json()) as EvaluateResult;
  }
  return {
    evaluate,
    async grantFromSmartSignIn(patient, grant) {
      const response = await post('/api/consent', await tokens.actingFor(patient), grant);
      if (response.ok) return;
      const refusal = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
      if (response.status >= 500 || !refusal.code) throw consentServiceUnavailable(`it answered ${response.status}`);
      throw new AppError(response.status, refusal.code as ErrorCode, refusal.message ?? 'The consent service refused the grant');
    },
    async changesBetween({ from, to }) {
      const url = new URL('/api/consent/changes', baseUrl);
      url.search = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() }).toString();
      const response = await fetch(url, { headers: { authorization: `Bearer ${await tokens.service()}` }, signal: AbortSignal.timeout(10_000) }).catch(
        (error: Error) => {
          throw consentServiceUnavailable(error.message);
        },
      );
      if (!response.ok) throw consentServiceUnavailable(`it answered ${response.status}`);
      return ((await response.json()) as { changes: ConsentChange[] }).changes;
    },
    /** Every R4 type, asked in parts of at most EVALUATE_LIMIT: the ones permitted. */
    async consentedTypes(query) {
      const types = [...FHIR_R4_RESOURCE_TYPES];
      const parts = Array.from({ length: Math.ceil(types.length / EVALUATE_LIMIT) }, (_, n) => types.slice(n * EVALUATE_LIMIT, (n + 1) * EVALUATE_LIMIT));
      const results = await Promise.all(parts.map((resourceTypes) => evaluate({ ...query, resourceTypes })));
      return results.flatMap((result) => result.decisions.filter((d) => d.decision === 'permit').map((d) => d.resourceType));
    },
  };
}
