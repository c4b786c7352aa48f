// SMART App Launch 2 (refresh section) lets a public client refresh with `grant_type` and
// `refresh_token` alone; OAuth's token endpoint wants the client named. Such a request gets its
// client named from the refresh token itself — only for a public client, which has no secret to
// present anyway — before the authorization server reads the body.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { readForm, replayForm } from './request-form.js';

export function publicClientRefresh(provider: Provider) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const form = ctx.path === '/token' && !ctx.get('authorization') ? await readForm(ctx) : undefined;
    if (!form) return next();
    if (form.get('grant_type') === 'refresh_token' && !form.get('client_id')) {
      const clientId = await publicClientOf(provider, form.get('refresh_token') ?? '');
      if (clientId) form.set('client_id', clientId);
    }
    replayForm(ctx, form);
    return next();
  };
}

async function publicClientOf(provider: Provider, refreshToken: string): Promise<string | undefined> {
  const token = refreshToken ? await provider.RefreshToken.find(refreshToken).catch(() => undefined) : undefined;
  const client = token?.clientId ? await provider.Client.find(token.clientId) : undefined;
  return client?.clientAuthMethod === 'none' ? client.clientId : undefined;
}
