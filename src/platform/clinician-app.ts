// The clinician web app (web/, built into web/dist by scripts/build-web.mjs) at /app: its page for
// every path of the app (it routes itself), its hashed assets cached for good. Until it is built,
// /app says how to build it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export async function clinicianAppRoutes(app: FastifyInstance): Promise<void> {
  const indexFile = path.join(DIST, 'index.html');
  const page = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : undefined;
  app.get('/app', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app/', 301));
  app.get('/app/*', { schema: { hide: true } }, (_request, reply) => {
    if (!page)
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The clinician app is not built: run `node scripts/build-web.mjs` (npm ci and npm start do it).');
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
  });
  if (page)
    await app.register(fastifyStatic, { root: path.join(DIST, 'assets'), prefix: '/app/assets/', decorateReply: false, immutable: true, maxAge: '365d' });
}
