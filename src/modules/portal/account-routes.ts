// /consent/portal/account: where a patient opens the one-time link an administrator gave them and sets
// their own password — to enrol, or after forgetting it. The form carries a CSRF token (csrf.ts);
// the link's token travels in the query string, which is never logged, and no page sends a referrer (security-headers.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { VNode } from 'preact';
import type { Clock } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import { MIN_PASSWORD_LENGTH, openAccountLink, setPasswordWithLink } from '../directory/patient-accounts.js';
import { accountLinkDonePage, accountLinkInvalidPage, accountLinkPage } from './pages.js';

const ACCOUNT = '/consent/portal/account';

export interface AccountLinkOptions {
  db: Kysely<Database>;
  clock: Clock;
  html(reply: FastifyReply, status: number, page: VNode): FastifyReply;
}

export async function accountLinkRoutes(app: FastifyInstance, { db, clock, html }: AccountLinkOptions): Promise<void> {
  const showForm = async (request: FastifyRequest, reply: FastifyReply, token: string, status = 200, error?: string) => {
    const link = await openAccountLink(db, token, clock.now());
    if (!link) return html(reply, 410, accountLinkInvalidPage());
    return html(reply, status, accountLinkPage({ token, csrfToken: reply.generateCsrf(), purpose: link.purpose, username: link.username, error }));
  };

  app.get<{ Querystring: { token?: string } }>(ACCOUNT, { schema: { hide: true } }, async (request, reply) =>
    showForm(request, reply, request.query.token ?? ''),
  );

  app.post<{ Body: Record<string, string | undefined> }>(ACCOUNT, { schema: { hide: true }, preHandler: app.csrfProtection }, async (request, reply) => {
    const form = request.body ?? {};
    const token = form.token ?? '';
    const password = form.password ?? '';
    if (password.length < MIN_PASSWORD_LENGTH) return showForm(request, reply, token, 400, `Your password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    if (password !== form.confirm) return showForm(request, reply, token, 400, 'The two passwords are not the same.');
    const saved = await setPasswordWithLink({ db, clock }, token, password).catch((error) => {
      if (error instanceof AppError) return false;
      throw error;
    });
    return saved ? html(reply, 200, accountLinkDonePage()) : html(reply, 410, accountLinkInvalidPage());
  });
}
