// One delivery to an endpoint (a webhook's, a FHIR Subscription's): a POST over a kept-alive
// connection (undici's pooled client, lighter than fetch for many small requests), no redirects
// followed, refused unless the endpoint answers 2xx within its time.
import { request } from 'undici';

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborts the delivery (the worker is stopping). */
  stopping: AbortSignal;
}

/** Posts `body` to `url`; throws unless the endpoint answers 2xx. The URL stays out of the error (it is logged and shown to admins): some carry a token in their query. */
export async function post(url: string, { headers, body, timeoutMs, stopping }: Delivery): Promise<void> {
  const response = await request(url, { method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: stopping });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`the endpoint answered ${response.statusCode}`);
}
