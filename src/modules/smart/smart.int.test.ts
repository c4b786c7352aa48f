// SMART App Launch, standalone patient launch, completed by openid-client (a SMART/OIDC client this
// project did not write) against the real server: PKCE S256, aud, the consent screen's narrowing of
// scopes, and the refusals the checklist asks for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import smart from 'fhirclient/lib/entry/node.js';
import * as oidc from 'openid-client';
import { testEngines } from '../../../test/support/engines.js';
import { formClient } from '../../../test/support/form-client.js';
import { startReachableHarness, type Harness } from '../../../test/support/harness.js';
import { seedDemoClinicalRecord } from '../demo/clinical-record.js';
import { seedDemoPortal } from '../demo/seed.js';
import { recentReadsOf } from '../audit/access-log.js';

const PASSWORD = 'smart-test-password';
const CLIENT_ID = 'test-cardiology-app';
const REDIRECT_URI = 'http://localhost:9/callback';

for (const engine of testEngines())
  describe(`SMART standalone patient launch on ${engine.name}`, () => {
    let hub: Harness;
    let config: oidc.Configuration;

    before(async () => {
      hub = await startReachableHarness(engine);
      await seedDemoPortal(hub.database.db, hub.clock, PASSWORD);
      await hub.database.db
        .insertInto('smart_client')
        .values({
          client_id: CLIENT_ID,
          name: 'Test Cardiology App',
          organization_id: 'Organization/royal-london-cardiology',
          redirect_uris: [REDIRECT_URI],
          public_client: true,
          requested_resource_types: ['Observation', 'Condition', 'DiagnosticReport'],
        })
        .execute();
      config = await oidc.discovery(new URL(`${hub.baseUrl}/oauth`), CLIENT_ID, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    });
    after(() => hub.close());

    /** Drives the browser part: sign-in, then the consent screen with `choices` per type; returns the callback URL. */
    async function authorize(authorizationUrl: URL, choices: Record<string, 'allow' | 'refuse'>, appName = 'Test Cardiology App') {
      const browser = formClient(hub.baseUrl);
      const loginPage = await browser.follow(authorizationUrl.href);
      assert.match(loginPage.html, /Sign in to share your records/);
      const uid = /\/oauth\/interaction\/([^/]+)\/login/.exec(loginPage.html)![1]!;
      const signedIn = await browser.post(`/oauth/interaction/${uid}/login`, { username: 'patient', password: PASSWORD });
      if (!signedIn.location) throw new Error(`sign-in answered ${signedIn.status}: ${signedIn.html.slice(0, 300)}`);
      const consentPage = await browser.follow(signedIn.location!);
      assert.ok(consentPage.html.includes(appName), `the consent screen names ${appName}`);
      const consentUid = /\/oauth\/interaction\/([^/]+)\/consent/.exec(consentPage.html)![1]!;
      const form = Object.fromEntries(Object.entries(choices).map(([type, choice]) => [`type:${type}`, choice]));
      const consented = await browser.post(`/oauth/interaction/${consentUid}/consent`, form);
      let response = consented;
      while (response.location && !response.location.startsWith(REDIRECT_URI)) response = await browser.get(response.location);
      if (!response.location)
        throw new Error(`the authorization ended at ${response.status}: ${response.html.replace(/<style>.*<\/style>/s, '').slice(0, 1200)}`);
      return { callback: new URL(response.location!), consentPage, browser };
    }

    /** RFC 7662 introspection of an access token by the public client it was issued to. */
    async function introspection(accessToken: string): Promise<Record<string, unknown>> {
      const response = await fetch(`${hub.baseUrl}/oauth/token/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: accessToken, client_id: CLIENT_ID }),
      });
      return (await response.json()) as Record<string, unknown>;
    }

    function authorizationRequest(scope: string, extra: Record<string, string> = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      return {
        verifier,
        state,
        url: async () =>
          oidc.buildAuthorizationUrl(config, {
            redirect_uri: REDIRECT_URI,
            scope,
            state,
            aud: `${hub.baseUrl}/fhir`,
            code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
            ...extra,
          }),
      };
    }

    it('publishes the SMART configuration at the root and at the FHIR base', async () => {
      for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
        const smart = await hub.request('GET', path);
        assert.equal(smart.status, 200);
        assert.deepEqual(smart.body.code_challenge_methods_supported, ['S256']);
        assert.equal(smart.body.token_endpoint, `${hub.baseUrl}/oauth/token`);
        assert.equal(smart.body.management_endpoint, `${hub.baseUrl}/consent/portal`);
        for (const capability of [
          'launch-standalone',
          'client-public',
          'client-confidential-symmetric',
          'context-standalone-patient',
          'permission-v1',
          'permission-v2',
          'sso-openid-connect',
        ])
          assert.ok(smart.body.capabilities.includes(capability));
      }
    });

    it('completes the launch with PKCE; the token names the patient and only the allowed types', async () => {
      const request = authorizationRequest(
        'launch/patient openid fhirUser offline_access patient/Observation.rs patient/Condition.rs patient/DiagnosticReport.read',
      );
      const { callback, consentPage } = await authorize(await request.url(), { Observation: 'allow', Condition: 'refuse', DiagnosticReport: 'allow' });
      assert.match(consentPage.html, /data-resource-type="Condition"/);
      assert.match(consentPage.html, /Royal London Hospital — Cardiology asks to read/, 'the organisation by its name, not its reference');
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
      assert.equal((tokens as any).patient, 'ePatient-8675309');
      const scopes = tokens.scope!.split(' ');
      assert.ok(scopes.includes('patient/Observation.rs'));
      assert.ok(scopes.includes('patient/DiagnosticReport.read'));
      assert.ok(!scopes.some((scope) => scope.startsWith('patient/Condition')), 'a refused type is not granted');
      assert.ok(scopes.includes('openid') && scopes.includes('launch/patient'));
      assert.ok(tokens.id_token, 'id_token when openid was asked');
      assert.equal(tokens.claims()!.fhirUser, 'Patient/ePatient-8675309');
      assert.ok(tokens.refresh_token, 'refresh token with offline_access');
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.access_token);
      // As SMART App Launch 2.2 lists a public client's refresh (and fhirclient sends it): no client_id.
      const bare = await fetch(`${hub.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.refresh_token ?? tokens.refresh_token! }),
      });
      const bareBody = await bare.json();
      assert.equal(bare.status, 200, JSON.stringify(bareBody));
      assert.ok(bareBody.access_token);
      // SMART's own JavaScript client (fhirclient), refreshing as it does for a public client.
      const incoming = { url: '/', headers: { host: new URL(hub.baseUrl).host }, method: 'GET' };
      const fhirclient = smart(incoming as never, {} as never).client({
        serverUrl: `${hub.baseUrl}/fhir`,
        clientId: CLIENT_ID,
        tokenUri: `${hub.baseUrl}/oauth/token`,
        tokenResponse: { ...bareBody },
      });
      const state = await fhirclient.refresh();
      assert.ok(state.tokenResponse?.access_token && state.tokenResponse.access_token !== bareBody.access_token, 'fhirclient got a new access token');
      assert.ok(tokens.expires_in! > 0);
      const grants = (await hub.request('GET', `/api/consent?patientId=Patient/ePatient-8675309&clientId=${CLIENT_ID}&status=active`, { as: 'patient' })).body
        .grants;
      assert.deepEqual(grants.map((grant: any) => [grant.resourceType, grant.source]).sort(), [
        ['DiagnosticReport', 'smart'],
        ['Observation', 'smart'],
      ]);
    });

    it('answers patient/*.rs with one scope per type the patient allowed', async () => {
      const request = authorizationRequest('launch/patient openid patient/*.rs');
      const { callback } = await authorize(await request.url(), { Observation: 'allow', Condition: 'allow', DiagnosticReport: 'refuse' });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
      const scopes = tokens.scope!.split(' ');
      assert.deepEqual(scopes.filter((scope) => scope.startsWith('patient/')).sort(), ['patient/Condition.rs', 'patient/Observation.rs']);
      assert.equal((await hub.request('GET', '/fhir/Observation', { as: { token: tokens.access_token } })).status, 200);

      const pushedRequest = authorizationRequest('launch/patient patient/*.rs');
      const pushedUrl = await oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'launch/patient patient/*.rs',
        state: pushedRequest.state,
        aud: `${hub.baseUrl}/fhir`,
        code_challenge: await oidc.calculatePKCECodeChallenge(pushedRequest.verifier),
        code_challenge_method: 'S256',
      });
      const pushed = await authorize(pushedUrl, { Observation: 'allow', Condition: 'refuse', DiagnosticReport: 'refuse' });
      const pushedTokens = await oidc.authorizationCodeGrant(config, pushed.callback, {
        pkceCodeVerifier: pushedRequest.verifier,
        expectedState: pushedRequest.state,
      });
      assert.deepEqual(
        pushedTokens.scope!.split(' ').filter((scope) => scope.startsWith('patient/')),
        ['patient/Observation.rs'],
        'a pushed request too',
      );
    });

    it('enforces consent live on /fhir: scopes, compartment, revocation at once, introspection and refresh', async () => {
      await seedDemoClinicalRecord(hub.database.db, hub.app.fhirBackend);
      await hub.request('POST', '/fhir', {
        as: 'admin',
        body: {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              resource: { resourceType: 'Observation', id: 'other-obs', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/someone-else' } },
              request: { method: 'PUT', url: 'Observation/other-obs' },
            },
          ],
        },
      });
      const request = authorizationRequest(
        'launch/patient openid fhirUser offline_access patient/Observation.rs patient/Condition.rs patient/DiagnosticReport.rs',
      );
      const { callback } = await authorize(await request.url(), { Observation: 'allow', Condition: 'refuse', DiagnosticReport: 'allow' });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
      const bearer = { token: tokens.access_token };
      const introspect = () => introspection(tokens.access_token);

      const observations = await hub.request('GET', '/fhir/Observation', { as: bearer });
      assert.equal(observations.status, 200);
      assert.ok(observations.body.entry.length >= 3);
      assert.ok(
        observations.body.entry.every((entry: any) => entry.resource.subject.reference === 'Patient/ePatient-8675309'),
        'only its patient',
      );
      assert.equal((await hub.request('GET', '/fhir/Condition', { as: bearer })).status, 403, 'a refused scope reads nothing');
      assert.equal((await hub.request('GET', '/fhir/Observation?patient=Patient/someone-else', { as: bearer })).status, 403, 'patient A reading patient B');
      const otherPatients = await hub.request('GET', '/fhir/Observation/other-obs', { as: bearer });
      const unknown = await hub.request('GET', '/fhir/Observation/no-such-observation', { as: bearer });
      assert.deepEqual([otherPatients.status, unknown.status], [404, 404], "another patient's resource answers as one that does not exist");
      const refusedType = await hub.request('GET', '/fhir/Condition', { as: bearer });
      assert.match(refusedType.headers.get('www-authenticate') ?? '', /^Bearer .*error="insufficient_scope"/);
      const badToken = await hub.request('GET', '/fhir/Observation', { as: { token: 'not-a-live-token' } });
      assert.equal(badToken.status, 401);
      assert.match(badToken.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
      assert.equal((await hub.request('GET', '/fhir/ServiceRequest', { as: bearer })).status, 403, 'a type outside the scopes');
      const ownEndpoint = await hub.request('GET', '/fhir/Endpoint', { as: bearer });
      assert.deepEqual(
        ownEndpoint.body.entry.map((entry: { resource: { id: string } }) => entry.resource.id),
        [CLIENT_ID],
        'an app reads its own Endpoint in the directory',
      );
      assert.equal((await hub.request('GET', '/fhir/Organization/royal-london-cardiology', { as: bearer })).status, 200, 'and its own organisation');
      assert.equal((await hub.request('GET', '/fhir/Organization/city-hospital', { as: bearer })).status, 404, 'but no other');
      assert.equal((await hub.request('GET', '/fhir/Practitioner', { as: bearer })).status, 403, 'nor the practitioners');
      const active = await introspect();
      assert.equal(active.active, true);
      assert.equal(active.patient, 'ePatient-8675309');
      assert.equal(active.fhirUser, 'Patient/ePatient-8675309');
      assert.match(String(active.scope), /patient\/Observation\.rs/);

      const grants = (await hub.request('GET', `/api/consent?patientId=Patient/ePatient-8675309&clientId=${CLIENT_ID}&status=active`, { as: 'patient' })).body
        .grants;
      const grantOf = (type: string) => grants.find((grant: any) => grant.resourceType === type).id;
      await hub.request('POST', `/api/consent/${grantOf('Observation')}/revoke`, { as: 'patient' });
      const refused = await hub.request('GET', '/fhir/Observation', { as: bearer });
      assert.equal(refused.status, 403, 'the very next read after the revocation');
      assert.equal(refused.body.resourceType, 'OperationOutcome');
      assert.equal((await hub.request('GET', '/fhir/DiagnosticReport', { as: bearer })).status, 200, 'what is still consented still reads');
      assert.equal((await introspect()).active, true);

      await hub.request('POST', `/api/consent/${grantOf('DiagnosticReport')}/revoke`, { as: 'patient' });
      assert.equal((await introspect()).active, false, 'no consent left behind the token');
      assert.equal((await hub.request('GET', '/fhir/DiagnosticReport', { as: bearer })).status, 401);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');

      const reads = await recentReadsOf(hub.database.db, 'Patient/ePatient-8675309', 1000);
      assert.ok(reads.some((read) => read.allowed && read.resourceType === 'Observation'));
      assert.ok(reads.some((read) => !read.allowed && read.resourceType === 'Condition' && read.clientId === CLIENT_ID));
    });

    it('ends a token with the sign-in it came from: once the patient signs out, the next read is refused', async () => {
      const request = authorizationRequest('launch/patient openid patient/Observation.rs');
      const { callback, browser } = await authorize(await request.url(), { Observation: 'allow' });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
      const read = () => hub.request('GET', '/fhir/Observation', { as: { token: tokens.access_token } });
      assert.equal((await read()).status, 200);
      assert.equal((await read()).status, 200, 'read again: the token and its sign-in are kept between requests');

      const signOutPage = await browser.get('/oauth/session/end');
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(signOutPage.html)?.[1];
      assert.ok(xsrf, `the sign-out page asks to confirm: ${signOutPage.status}`);
      const signedOut = await browser.post('/oauth/session/end/confirm', { xsrf, logout: 'yes' });
      assert.ok(signedOut.status < 400, `signing out answered ${signedOut.status}`);
      assert.equal((await read()).status, 401, 'the token ended with its sign-in');
    });

    it('refuses an access token once it has expired, though it read a moment before', async (t) => {
      const request = authorizationRequest('launch/patient openid patient/Observation.rs');
      const { callback } = await authorize(await request.url(), { Observation: 'allow' });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
      const read = () => hub.request('GET', '/fhir/Observation', { as: { token: tokens.access_token } });
      assert.equal((await read()).status, 200);
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() + (tokens.expires_in! + 1) * 1000 });
      assert.equal((await read()).status, 401, 'an hour later the same token reads nothing');
    });

    it('ends the tokens of a consent whose period has run out: introspection inactive, refresh refused', async () => {
      const active = (await hub.request('GET', `/api/consent?patientId=Patient/ePatient-8675309&clientId=${CLIENT_ID}&status=active`, { as: 'patient' })).body
        .grants;
      for (const grant of active) await hub.request('POST', `/api/consent/${grant.id}/revoke`, { as: 'patient' });
      const end = new Date(hub.clock.now().getTime() + 60_000).toISOString();
      const granted = await hub.request('POST', '/api/consent', {
        as: 'patient',
        body: { patientId: 'Patient/ePatient-8675309', clientId: CLIENT_ID, resourceTypes: ['Observation'], period: { end } },
      });
      assert.equal(granted.status, 201);
      const request = authorizationRequest('launch/patient offline_access patient/Observation.rs');
      const { callback } = await authorize(await request.url(), { Observation: 'allow' });
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
      const introspect = () => introspection(tokens.access_token);
      assert.equal((await introspect()).active, true);
      hub.clock.advance(120_000);
      assert.equal((await hub.request('GET', '/fhir/Observation', { as: { token: tokens.access_token } })).status, 403);
      assert.equal((await introspect()).active, false);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
    });

    it('serves a confidential client: secret at the token endpoint, authenticated introspection', async () => {
      await hub.database.db
        .insertInto('smart_client')
        .values({
          client_id: 'cardiology-backend',
          name: 'Cardiology Backend',
          organization_id: 'Organization/royal-london-cardiology',
          redirect_uris: [REDIRECT_URI],
          public_client: false,
          requested_resource_types: ['Observation'],
          client_secret: 'backend-secret',
        })
        .execute();
      const confidential = await oidc.discovery(new URL(`${hub.baseUrl}/oauth`), 'cardiology-backend', undefined, oidc.ClientSecretBasic('backend-secret'), {
        execute: [oidc.allowInsecureRequests],
      });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(confidential, {
        redirect_uri: REDIRECT_URI,
        scope: 'launch/patient patient/Observation.rs',
        state,
        aud: `${hub.baseUrl}/fhir`,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const { callback, consentPage } = await authorize(url, { Observation: 'allow' }, 'Cardiology Backend');
      assert.match(consentPage.html, /Cardiology Backend/);
      const tokens = await oidc.authorizationCodeGrant(confidential, callback, { pkceCodeVerifier: verifier, expectedState: state });
      const introspection = await oidc.tokenIntrospection(confidential, tokens.access_token);
      assert.equal(introspection.active, true);
      assert.equal(introspection.patient, 'ePatient-8675309');
      const wrongSecret = await fetch(`${hub.baseUrl}/oauth/token/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('cardiology-backend:wrong').toString('base64')}` },
        body: new URLSearchParams({ token: tokens.access_token }),
      });
      assert.equal(wrongSecret.status, 401);
    });

    it('refuses an authorization request without PKCE, or with plain PKCE', async () => {
      const base = {
        client_id: CLIENT_ID,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'launch/patient patient/Observation.rs',
        state: 'x',
        aud: `${hub.baseUrl}/fhir`,
      };
      const without = await fetch(`${hub.baseUrl}/oauth/auth?${new URLSearchParams(base)}`, { redirect: 'manual' });
      assert.match(without.headers.get('location') ?? '', /error=invalid_request/);
      assert.match(decodeURIComponent(without.headers.get('location') ?? ''), /PKCE/);
      const plain = await fetch(
        `${hub.baseUrl}/oauth/auth?${new URLSearchParams({ ...base, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' })}`,
        { redirect: 'manual' },
      );
      assert.match(plain.headers.get('location') ?? '', /error=invalid_request/);
    });

    it('refuses an authorization request whose aud is not this FHIR base, pushed (PAR) or not', async () => {
      const request = authorizationRequest('launch/patient patient/Observation.rs', { aud: 'https://other.example/fhir' });
      const response = await fetch(await request.url(), { redirect: 'manual' });
      const location = decodeURIComponent(response.headers.get('location') ?? '');
      assert.match(location, /error=invalid_request/);
      assert.match(location.replaceAll('+', ' '), /aud must be/);
      const pushed = await fetch(`${hub.baseUrl}/oauth/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: CLIENT_ID,
          redirect_uri: REDIRECT_URI,
          response_type: 'code',
          scope: 'launch/patient patient/Observation.rs',
          state: 'x',
          aud: 'https://other.example/fhir',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }),
      });
      assert.equal(pushed.status, 400);
      assert.equal((await pushed.json()).error, 'invalid_request');
    });

    it('builds its endpoints from PUBLIC_BASE_URL, whatever Host a request names', async () => {
      const { request } = await import('node:http');
      const body = await new Promise<string>((resolve, reject) => {
        const url = new URL(`${hub.baseUrl}/oauth/.well-known/openid-configuration`);
        request(
          { hostname: url.hostname, port: url.port, path: url.pathname, headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve(text));
          },
        )
          .on('error', reject)
          .end();
      });
      const discovery = JSON.parse(body);
      assert.equal(discovery.token_endpoint, `${hub.baseUrl}/oauth/token`);
      assert.equal(discovery.issuer, `${hub.baseUrl}/oauth`);
    });

    it('signs id_tokens with a key of its own, not the API tokens’ key', async () => {
      const jwks = await (await fetch(`${hub.baseUrl}/oauth/jwks`)).json();
      assert.ok(jwks.keys.length > 0);
      assert.ok(jwks.keys.every((key: { kid: string; x: string }) => key.kid !== hub.key.kid && key.x !== hub.key.publicJwk.x));
    });

    it('advertises only the client authentication methods its clients use', async () => {
      const discovery = await (await fetch(`${hub.baseUrl}/oauth/.well-known/openid-configuration`)).json();
      assert.deepEqual([...discovery.token_endpoint_auth_methods_supported].sort(), ['client_secret_basic', 'none']);
    });
  });
