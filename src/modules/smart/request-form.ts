// A form-encoded request to the authorization server, read and rewritten by middleware before the
// server reads it itself: the body is read once, and replayed as the (possibly completed) form.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** The request's form, when it is a form POST; undefined otherwise (the body is left unread). */
export async function readForm(ctx: KoaContextWithOIDC): Promise<URLSearchParams | undefined> {
  if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(await text(ctx.req));
}

/** The request as the server will read it: `form` as its body. */
export function replayForm(ctx: KoaContextWithOIDC, form: URLSearchParams): void {
  const body = Buffer.from(form.toString());
  const original = ctx.req;
  original.headers['content-length'] = String(body.length);
  const replay = Object.assign(Readable.from([body]), { headers: original.headers, method: original.method, url: original.url, socket: original.socket });
  ctx.req = replay as unknown as typeof ctx.req;
}
