// The API client, typed by the service's own OpenAPI document (schema.d.ts, generated).
import createClient from 'openapi-fetch';
import { freshAccessToken } from '../auth';
import type { paths } from './schema';

/** A client that sends the session's access token, renewed as it nears expiry, and calls `onSignedOut` once the sign-in has ended. */
export function apiClient(onSignedOut: () => void) {
  const client = createClient<paths>({ baseUrl: location.origin });
  client.use({
    async onRequest({ request }) {
      const accessToken = await freshAccessToken();
      if (!accessToken) onSignedOut();
      request.headers.set('authorization', `Bearer ${accessToken ?? ''}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onSignedOut();
      return response;
    },
  });
  return client;
}
export type ApiClient = ReturnType<typeof apiClient>;

/** What an error answer of the API says (its message), or `fallback` when it says nothing. */
export function problemIn(error: unknown, fallback: string): string {
  return (error as { message?: string } | undefined)?.message ?? fallback;
}
