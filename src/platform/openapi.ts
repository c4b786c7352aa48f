// The OpenAPI document says exactly what the service does: each operation named after its handler,
// the error answers every authenticated /api and /fhir route can give (bad input, no or a refused
// token, the request limit), and each titled schema a named component instead of a copy per use.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorBody } from './http-schemas.js';

type Schema = Record<string, unknown>;

/** Completes each route's schema as it is added: operationId, and the error answers it can give. */
export function describeOperations(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as (Schema & { response?: Schema; security?: unknown[] }) | undefined;
    if (!schema || schema.hide) return;
    if (!schema.operationId && route.handler.name) schema.operationId = route.handler.name;
    if (!route.url.startsWith('/api')) return;
    const authenticated = !(Array.isArray(schema.security) && schema.security.length === 0);
    const errors = [400, ...(authenticated ? [401, 403, 429] : [])];
    schema.response = { ...Object.fromEntries(errors.map((status) => [status, ErrorBody])), ...schema.response };
  });
}

/** Moves every schema with a `title` into components.schemas and refers to it there. */
export function namedComponents<T extends { components?: { schemas?: Record<string, unknown> } }>(document: T): T {
  const components: Record<string, unknown> = { ...document.components?.schemas };
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, visit(child)]));
    const title = (value as Schema).title;
    if (typeof title !== 'string' || !('type' in value || 'anyOf' in value)) return entries;
    components[title] ??= entries;
    return { $ref: `#/components/schemas/${title}` };
  };
  const paths = visit((document as Schema).paths);
  return { ...document, paths, components: { ...document.components, schemas: components } };
}
