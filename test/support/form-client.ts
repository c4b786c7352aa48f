// A cookie-keeping HTTP client that follows nothing by itself: what a browser without JavaScript
// does with pages, forms and redirects, for tests of server-rendered flows.
export interface FormResponse {
  status: number;
  location: string | null;
  html: string;
  response: Response;
}

export function formClient(baseUrl: string) {
  const jar = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
  };
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const absolute = (path: string) => (path.startsWith('http') ? path : `${baseUrl}${path}`);
  async function send(method: string, path: string, form?: Record<string, string>): Promise<FormResponse> {
    const response = await fetch(absolute(path), {
      method,
      headers: { cookie: cookieHeader(), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
      body: form && new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    remember(response);
    return { status: response.status, location: response.headers.get('location'), html: await response.text(), response };
  }
  return {
    jar,
    get: (path: string) => send('GET', path),
    post: (path: string, form: Record<string, string>) => send('POST', path, form),
    /** Follows redirects from `path` until one leaves `baseUrl` (returned) or a page is reached. */
    async follow(path: string): Promise<FormResponse> {
      let current = await send('GET', path);
      while (current.location && new URL(current.location, baseUrl).origin === new URL(baseUrl).origin)
        current = await send('GET', new URL(current.location, baseUrl).href);
      return current;
    },
  };
}

/** The CSRF token a server-rendered form carries back. */
export const csrfIn = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
