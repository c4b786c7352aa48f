// The clinician web app (web/, built into web/dist by scripts/build-web.mjs) at /app: its page for
// every path of the app (it routes itself), its hashed assets cached for good, and where it signs
// clinicians in (/app/sign-in.json: this service's own authorization server, or an external
// provider). Until it is built, /app says how to build it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { contentSecurityPolicy } from './security-headers.js';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Where and how the web app signs clinicians in: authorization code with PKCE, as a public client. */
export interface SignInPlace {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope: string;
}

export async function clinicianAppRoutes(app: FastifyInstance, { signInPlace }: { signInPlace: () => Promise<SignInPlace> }): Promise<void> {
  const indexFile = path.join(DIST, 'index.html');
  app.get('/app/sign-in.json', { schema: { hide: true } }, async (_request, reply) => reply.header('cache-control', 'no-store').send(await signInPlace()));
  const page = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
  app.get('/app', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app/', 301));
  app.get('/app/*', { schema: { hide: true } }, async (_request, reply) => {
    if (!page)
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The clinician app is not built: run `node scripts/build-web.mjs` (npm ci and npm start do it).');
    // The app exchanges its code and renews its tokens where it signs in, which may be another origin.
    const place = await signInPlace().catch(() => undefined);
    const tokenOrigin = place && new URL(place.tokenEndpoint, 'http://this.origin').origin;
    const elsewhere: Record<string, string[]> = tokenOrigin && tokenOrigin !== 'http://this.origin' ? { 'connect-src': [tokenOrigin] } : {};
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', contentSecurityPolicy(elsewhere))
      .type('text/html; charset=utf-8')
      .send(page);
  });
  if (page)
    await app.register(fastifyStatic, { root: path.join(DIST, 'assets'), prefix: '/app/assets/', decorateReply: false, immutable: true, maxAge: '365d' });
}
