// SMART App Launch 2 (refresh section) lets a public client refresh with `grant_type` and
// `refresh_token` alone; OAuth's token endpoint wants the client named. Such a request gets its
// client named from the refresh token itself — only for a public client, which has no secret to
// present anyway — before the authorization server reads the body.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';

export function publicClientRefresh(provider: Provider) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    if (ctx.path !== '/token' || ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded') || ctx.get('authorization')) return next();
    const form = new URLSearchParams(await text(ctx.req));
    if (form.get('grant_type') === 'refresh_token' && !form.get('client_id')) {
      const clientId = await publicClientOf(provider, form.get('refresh_token') ?? '');
      if (clientId) form.set('client_id', clientId);
    }
    replaceBody(ctx, form.toString());
    return next();
  };
}

async function publicClientOf(provider: Provider, refreshToken: string): Promise<string | undefined> {
  const token = refreshToken ? await provider.RefreshToken.find(refreshToken).catch(() => undefined) : undefined;
  const client = token?.clientId ? await provider.Client.find(token.clientId) : undefined;
  return client?.clientAuthMethod === 'none' ? client.clientId : undefined;
}

/** The request as the server will read it: the (possibly completed) form as its body. */
function replaceBody(ctx: KoaContextWithOIDC, body: string): void {
  const original = ctx.req;
  original.headers['content-length'] = String(Buffer.byteLength(body));
  const replay = Object.assign(Readable.from([Buffer.from(body)]), {
    headers: original.headers,
    method: original.method,
    url: original.url,
    socket: original.socket,
  });
  ctx.req = replay as unknown as typeof ctx.req;
}
