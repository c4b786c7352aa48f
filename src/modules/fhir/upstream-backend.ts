// An upstream FHIR R4 server (HAPI or any other): the mirror PUTs to it, and /fhir forwards reads and
// batch/transaction bundles to it.
// With client-credentials settings, requests carry a bearer token from its OAuth2 token endpoint.
import type { Resource } from '@medplum/fhirtypes';
import type { Clock } from '../../platform/clock.js';
import { operationOutcome, type FhirAnswer, type FhirBackend, type FhirInteraction, type PutFailure } from './backend.js';

export interface UpstreamSettings {
  baseUrl: string;
  /** OAuth2 client credentials for the upstream server, when it wants a token. */
  auth?: { tokenUrl: string; clientId: string; clientSecret: string; scope?: string };
  timeoutMs?: number;
}

const FHIR_JSON = 'application/fhir+json';
const PARALLEL_PUTS = 8;

export function upstreamFhirBackend(settings: UpstreamSettings, clock: Clock): FhirBackend {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const authorization = settings.auth ? clientCredentials(settings.auth, timeoutMs, clock) : async () => undefined;

  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    const token = await authorization();
    return fetch(`${base}/${path}`, {
      method,
      headers: { accept: FHIR_JSON, ...(body !== undefined && { 'content-type': FHIR_JSON }), ...(token && { authorization: `Bearer ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  return {
    kind: 'upstream',
    async handle(interaction: FhirInteraction): Promise<FhirAnswer> {
      const isBundle = interaction.method === 'POST' && interaction.path === '';
      if (interaction.method !== 'GET' && !isBundle)
        return {
          status: 405,
          resource: operationOutcome(
            'not-supported',
            'This endpoint forwards reads and batch/transaction bundles to the upstream FHIR server; write to that server directly',
          ),
        };
      try {
        const response = await send(
          interaction.method,
          interaction.query ? `${interaction.path}?${interaction.query}` : interaction.path,
          isBundle ? interaction.body : undefined,
        );
        const resource = (await response
          .json()
          .catch(() => operationOutcome('exception', `The upstream FHIR server answered ${response.status} without a FHIR body`))) as Resource;
        return { status: response.status, resource };
      } catch (error) {
        return { status: 502, resource: operationOutcome('transient', `The upstream FHIR server is unreachable: ${(error as Error).message}`) };
      }
    },
    async putAll(resources: (Resource & { id: string })[]) {
      const failures: PutFailure[] = [];
      const queue = [...resources];
      const putNext = async (): Promise<void> => {
        for (let resource = queue.shift(); resource; resource = queue.shift()) {
          const error = await send('PUT', `${resource.resourceType}/${resource.id}`, resource).then(
            async (response) =>
              response.ok
                ? void (await response.body?.cancel())
                : `PUT ${resource!.resourceType}/${resource!.id} answered ${response.status}: ${await diagnosticsOf(response)}`,
            (failure: Error) => `PUT ${resource!.resourceType}/${resource!.id} failed: ${failure.message}`,
          );
          if (error) failures.push({ resource, error });
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_PUTS, resources.length) }, putNext));
      return failures;
    },
  };
}

/** The upstream's own explanation of a refusal: the OperationOutcome's diagnostics, shortened. */
async function diagnosticsOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const outcome = JSON.parse(text) as { issue?: { diagnostics?: string; details?: { text?: string } }[] };
    return (
      (outcome.issue ?? [])
        .map((issue) => issue.diagnostics ?? issue.details?.text ?? '')
        .join('; ')
        .slice(0, 500) || 'no diagnostics'
    );
  } catch {
    return 'no OperationOutcome';
  }
}

/** A cached client-credentials access token, renewed 30 s before it expires. */
function clientCredentials(auth: NonNullable<UpstreamSettings['auth']>, timeoutMs: number, clock: Clock): () => Promise<string> {
  let cached: { token: string; renewAt: number } | undefined;
  return async () => {
    if (cached && clock.now().getTime() < cached.renewAt) return cached.token;
    const response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope && { scope: auth.scope }) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`The upstream token endpoint answered ${response.status}`);
    const { access_token: token, expires_in: expiresIn } = (await response.json()) as { access_token: string; expires_in?: number };
    cached = { token, renewAt: clock.now().getTime() + Math.max(0, (expiresIn ?? 300) - 30) * 1000 };
    return token;
  };
}
