// Every form of the consent portal carries a CSRF token (@fastify/csrf-protection): the secret lives
// in an HttpOnly, SameSite=Strict cookie for the portal's paths, each form holds a token derived from
// it, and a form posted from another site, which cannot read either, is refused with 403 before its
// handler runs.
import csrfProtection from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const CSRF_COOKIE = 'rh_portal_csrf';

export async function protectPortalForms(app: FastifyInstance, path: string): Promise<void> {
  await app.register(csrfProtection, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path, httpOnly: true, sameSite: 'strict', secure: 'auto' },
    getToken: (request: FastifyRequest) => (request.body as Record<string, string | undefined> | undefined)?.csrf,
  });
}
