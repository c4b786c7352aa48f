// The headers every surface sends, set in one place: a Content-Security-Policy that no page may be
// framed under, nosniff, a Referrer-Policy (through @fastify/helmet); HSTS over TLS; and no-store on
// every answer of /api, /fhir and /oauth, which can carry patient data. Pages that need more (the
// portal's forms, the demo app's script, the API documentation) set their own policy on top.
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const HSTS = 'max-age=31536000; includeSubDomains';
const PRIVATE_SURFACES = /^\/(api|fhir|oauth)(\/|\?|$)/;

const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** The policy every surface has, with more sources for some directives (a page that connects elsewhere). */
export function contentSecurityPolicy(more: Record<string, string[]>): string {
  const directives: Record<string, string[]> = { ...CONTENT_SECURITY_POLICY };
  for (const [name, sources] of Object.entries(more)) directives[name] = [...(directives[name] ?? directives['default-src']!), ...sources];
  return policyText(directives);
}

/** A Content-Security-Policy header's text for its directives and their sources. */
export function policyText(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

export async function securityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    hsts: false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    if (PRIVATE_SURFACES.test(request.url)) reply.header('cache-control', 'no-store');
  });
}

/** A hijacked reply (the authorization server writes its own) still carries the headers set so far. */
export function keepHeadersOnHijack(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined && !reply.raw.hasHeader(name)) reply.raw.setHeader(name, value as string);
  }
}
