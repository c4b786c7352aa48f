// The headers every surface sends: a CSP with frame-ancestors 'none' on every HTML page (and on the
// service's own pages one policy: no inline script, forms only to this service), nosniff and
// a Referrer-Policy on every answer, HSTS over TLS only, and no-store wherever patient data can be.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from './support/engines.js';
import { formClient } from './support/form-client.js';
import { demoAppAuthorizationUrl, type Harness, startReachableHarness } from './support/harness.js';

for (const engine of testEngines()) {
  describe(`security headers on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startReachableHarness(engine, { config: { trustProxy: true } });
    });
    after(() => hub.close());

    async function smartSignInPage(): Promise<Response> {
      return (await formClient(hub.baseUrl).follow(demoAppAuthorizationUrl(hub))).response;
    }

    it('sends every HTML page with a CSP that forbids framing, and every answer with nosniff and a Referrer-Policy', async () => {
      const pages = [
        await fetch(`${hub.baseUrl}/consent/portal`),
        await fetch(`${hub.baseUrl}/demo/smart-app`),
        await fetch(`${hub.baseUrl}/docs/static/index.html`),
        await smartSignInPage(),
      ];
      for (const page of pages) {
        assert.match(page.headers.get('content-type') ?? '', /text\/html/, page.url);
        assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, page.url);
      }
      for (const page of [pages[0]!, pages[1]!, pages[3]!]) {
        const policy = page.headers.get('content-security-policy') ?? '';
        assert.match(policy, /default-src 'none'; style-src 'unsafe-inline'; script-src 'self';/, `${page.url}: no inline script runs on our pages`);
        assert.match(policy, /form-action 'self'/, `${page.url}: forms post to this service`);
      }
      const answers = [...pages, await fetch(`${hub.baseUrl}/health`), await fetch(`${hub.baseUrl}/api/referrals`), await fetch(`${hub.baseUrl}/oauth/jwks`)];
      for (const answer of answers) {
        assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', answer.url);
        assert.equal(answer.headers.get('referrer-policy'), 'no-referrer', answer.url);
      }
    });

    it('sends no-store on every answer of /api, /fhir and /oauth', async () => {
      const answers = [
        await hub.request('GET', '/api/referrals', { as: 'dr-smith' }),
        await hub.request('GET', '/api/referrals/1', { as: 'dr-smith' }),
        await hub.request('GET', '/fhir/Observation', { as: 'admin' }),
        await hub.request('GET', '/fhir/Organization/city-hospital', { as: 'dr-smith' }),
      ];
      for (const answer of answers) assert.match(answer.headers.get('cache-control') ?? '', /no-store/);
      assert.match((await fetch(`${hub.baseUrl}/oauth/jwks`)).headers.get('cache-control') ?? '', /no-store/);
      assert.match((await smartSignInPage()).headers.get('cache-control') ?? '', /no-store/);
    });

    it('sends HSTS over TLS only', async () => {
      assert.equal((await fetch(`${hub.baseUrl}/health`)).headers.get('strict-transport-security'), null);
      const overTls = await fetch(`${hub.baseUrl}/health`, { headers: { 'x-forwarded-proto': 'https' } });
      assert.match(overTls.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    });
  });
}
