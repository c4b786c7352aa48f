// Where /fhir gets its answers: the embedded store (through @medplum/fhir-router) or an upstream
// FHIR server. Both answer a FHIR interaction with a status and a FHIR resource (an
// OperationOutcome for errors).
import type { Resource } from '@medplum/fhirtypes';

export interface FhirInteraction {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path below the FHIR base, without a leading slash: `Task/referral-task-1/_history/2` */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

export interface FhirAnswer {
  status: number;
  resource: Resource;
  headers?: Record<string, string>;
}

export interface FhirBackend {
  handle(interaction: FhirInteraction): Promise<FhirAnswer>;
  /** Stores each resource as given (idempotent PUTs): the mirror's delivery. Says which failed and why. */
  putAll(resources: (Resource & { id: string })[]): Promise<PutFailure[]>;
  readonly kind: 'embedded' | 'upstream';
}

export interface PutFailure {
  resource: Resource & { id: string };
  error: string;
}

export function operationOutcome(code: string, diagnostics: string, severity: 'error' | 'information' = 'error'): Resource {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code: code as 'processing', diagnostics }] };
}
