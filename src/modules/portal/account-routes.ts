// Where the holder of a one-time link an administrator gave them sets their own password — to enrol,
// or after forgetting it: a patient at /consent/portal/account (the portal's pages, with its CSRF
// token), a practitioner at /clinicians/account (the clinicians' pages). The link's token travels in
// the query string, which is never logged, and no page sends a referrer (security-headers.ts). A link
// of the other kind of account opens nothing here.
import type { FastifyInstance, FastifyReply, preHandlerHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import type { VNode } from 'preact';
import type { Clock } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import type { Database } from '../../database.js';
import {
  ACCOUNT_LINK_PATHS,
  accountName,
  MIN_PASSWORD_LENGTH,
  openAccountLink,
  setPasswordWithLink,
  type LinkedAccount,
  type LinkPurpose,
} from '../directory/account-links.js';

interface AccountLinkPages {
  form(options: { token: string; csrfToken?: string; purpose: LinkPurpose; username: string; error?: string }): VNode;
  done(): VNode;
  invalid(): VNode;
}

export interface AccountLinkOptions {
  db: Kysely<Database>;
  clock: Clock;
  kind: LinkedAccount['kind'];
  pages: AccountLinkPages;
  html(reply: FastifyReply, status: number, page: VNode): FastifyReply;
  /** The CSRF protection of the pages' forms, where the surface has one (the link's token is a secret the form carries anyway). */
  csrf?: { protect: preHandlerHookHandler; token(reply: FastifyReply): string };
  /** Ends the account's sign-ins kept outside the directory, in the transaction that sets the password. */
  endSignIns?: (tx: Kysely<Database>, account: LinkedAccount) => Promise<void>;
}

export async function accountLinkRoutes(app: FastifyInstance, { db, clock, kind, pages, html, csrf, endSignIns }: AccountLinkOptions): Promise<void> {
  const path = ACCOUNT_LINK_PATHS[kind];
  const showForm = async (reply: FastifyReply, token: string, status = 200, error?: string) => {
    const link = await openAccountLink(db, token, clock.now());
    if (link?.account.kind !== kind) return html(reply, 410, pages.invalid());
    return html(reply, status, pages.form({ token, csrfToken: csrf?.token(reply), purpose: link.purpose, username: accountName(link.account), error }));
  };

  app.get<{ Querystring: { token?: string } }>(path, { schema: { hide: true } }, async (request, reply) => showForm(reply, request.query.token ?? ''));

  app.post<{ Body: Record<string, string | undefined> }>(path, { schema: { hide: true }, preHandler: csrf?.protect }, async (request, reply) => {
    const form = request.body ?? {};
    const token = form.token ?? '';
    const password = form.password ?? '';
    if (password.length < MIN_PASSWORD_LENGTH) return showForm(reply, token, 400, `Your password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    if (password !== form.confirm) return showForm(reply, token, 400, 'The two passwords are not the same.');
    const link = await openAccountLink(db, token, clock.now());
    if (link?.account.kind !== kind) return html(reply, 410, pages.invalid());
    const saved = await setPasswordWithLink({ db, clock }, token, password, endSignIns).catch((error: unknown) => {
      if (error instanceof AppError) return undefined;
      throw error;
    });
    return saved ? html(reply, 200, pages.done()) : html(reply, 410, pages.invalid());
  });
}
