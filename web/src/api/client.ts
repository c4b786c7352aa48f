// The API client, typed by the service's own OpenAPI document (schema.d.ts, generated).
import createClient from 'openapi-fetch';
import type { paths } from './schema';

export function apiClient(accessToken: string, onSignedOut: () => void) {
  const client = createClient<paths>({ baseUrl: location.origin });
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${accessToken}`);
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
