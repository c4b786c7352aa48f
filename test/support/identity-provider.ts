// An external OpenID Connect provider for tests, as a hospital's own (Keycloak, Entra ID) would be:
// a real oidc-provider over HTTP on a loopback port, signing JWT access tokens for the API's audience
// with a key of its own, public clients with PKCE. Who signs in is set by the test (`signInAs`): its
// sign-in step finishes at once as that account, so the test drives the app, not a login page.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdentityProviderOptions {
  /** Public clients (PKCE) and where each may redirect. */
  clients: { clientId: string; redirectUri: string }[];
  /** The audience of its access tokens. */
  audience: string;
  /** The claims an account's access token carries besides the standard ones. */
  claimsOf(accountId: string): Record<string, unknown>;
}

export interface IdentityProvider {
  issuer: string;
  /** The account the next sign-in is. */
  signInAs(accountId: string): void;
  close(): Promise<void>;
}

/** The one resource its tokens are for (an absolute URI, as RFC 8707 wants). */
const API_RESOURCE = 'urn:referral-hub:api';

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const provider = new Provider(issuer, {
    clients: options.clients.map(({ clientId, redirectUri }) => ({
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    })),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-idp', alg: 'ES256', use: 'sig' }] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    extraTokenClaims: async (_ctx, token) => options.claimsOf((token as { accountId: string }).accountId),
    issueRefreshToken: async () => true,
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'api',
          audience: options.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  let account = 'nobody';
  const handle = provider.callback();
  server.on('request', (request, response) => {
    if (!request.url?.startsWith('/interaction/')) return handle(request, response);
    // The sign-in and consent, done at once as the account the test chose.
    void (async () => {
      const details = await provider.interactionDetails(request, response);
      const grant = new provider.Grant({ accountId: account, clientId: String(details.params.client_id) });
      grant.addOIDCScope('openid offline_access');
      grant.addResourceScope(API_RESOURCE, 'api');
      await provider.interactionFinished(request, response, { login: { accountId: account }, consent: { grantId: await grant.save() } });
    })();
  });
  return {
    issuer,
    signInAs: (accountId) => (account = accountId),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
