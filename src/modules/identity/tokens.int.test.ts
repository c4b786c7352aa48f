// Bearer token verification over HTTP: only a token signed by the right key, for the right issuer
// and audience, unexpired, gets in (RFC 8725); and an external identity provider's JWKS works too.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { testEngines } from '../../../test/support/engines.js';
import { startHarness, type Harness } from '../../../test/support/harness.js';
import { demoClaims } from '../demo/identities.js';
import { generateSigningJwk, importSigningKey } from '../../platform/keys.js';
import { mintToken } from './tokens.js';

const engine = testEngines()[0]!;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('bearer tokens signed by the instance key', () => {
  let hub: Harness;
  before(async () => {
    hub = await startHarness(engine);
  });
  after(() => hub.close());

  const list = (token?: string, raw?: string) =>
    hub.request('GET', '/api/referrals', { headers: raw !== undefined ? { authorization: raw } : token ? { authorization: `Bearer ${token}` } : {} });
  const signed = (claims: Record<string, unknown>, options: { issuer?: string; audience?: string; exp?: number; iat?: number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: hub.key.kid })
      .setIssuer(options.issuer ?? hub.config.jwt.issuer)
      .setAudience(options.audience ?? hub.config.jwt.audience)
      .setIssuedAt(options.iat)
      .setExpirationTime(options.exp ?? now() + 600)
      .sign(hub.key.privateKey);

  it('accepts a valid token', async () => {
    assert.equal((await list(await hub.token('dr-smith'))).status, 200);
  });

  it("refuses a token once it expires on the service's clock, though it was accepted (and remembered) before", async () => {
    const issuedAt = Math.floor(hub.clock.now().getTime() / 1000);
    const token = await signed(demoClaims('dr-smith'), { exp: issuedAt + 120, iat: issuedAt });
    assert.equal((await list(token)).status, 200);
    hub.clock.advance(121_000);
    const response = await list(token).finally(() => hub.clock.advance(-121_000));
    assert.equal(response.status, 401);
    assert.match(response.body.message, /expired/);
  });

  const refusals: Array<[string, () => Promise<string | { raw: string }>]> = [
    ['no Authorization header', async () => ({ raw: '' })],
    ['a non-bearer scheme', async () => ({ raw: 'Basic ZHI6c21pdGg=' })],
    ['a malformed token', async () => 'not.a.jwt'],
    [
      'alg none',
      async () =>
        `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...demoClaims('dr-smith'), iss: hub.config.jwt.issuer, aud: hub.config.jwt.audience, exp: now() + 600 })}.`,
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(hub.key.publicJwk));
        return new SignJWT(demoClaims('dr-smith'))
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(hub.config.jwt.issuer)
          .setAudience(hub.config.jwt.audience)
          .setExpirationTime(now() + 600)
          .sign(secret);
      },
    ],
    ['an expired token', async () => signed(demoClaims('dr-smith'), { exp: now() - 60 })],
    ['a wrong issuer', async () => signed(demoClaims('dr-smith'), { issuer: 'https://evil.example' })],
    ['a wrong audience', async () => signed(demoClaims('dr-smith'), { audience: 'another-api' })],
    [
      'a token signed by another key',
      async () => mintToken(await importSigningKey(await generateSigningJwk()), demoClaims('dr-smith'), { ...hub.config.jwt, ttlSeconds: 600 }),
    ],
    ['a token without roles', async () => signed({ sub: 'dr-smith' })],
    ['a token that expires in the year 9999', async () => signed(demoClaims('dr-smith'), { exp: 253402300799 })],
    ['a token issued an hour from now', async () => signed(demoClaims('dr-smith'), { iat: now() + 3600 })],
    [
      'a token without iat',
      async () =>
        new SignJWT(demoClaims('dr-smith'))
          .setProtectedHeader({ alg: 'ES256', kid: hub.key.kid })
          .setIssuer(hub.config.jwt.issuer)
          .setAudience(hub.config.jwt.audience)
          .setExpirationTime(now() + 600)
          .sign(hub.key.privateKey),
    ],
  ];

  for (const [name, make] of refusals) {
    it(`answers 401 UNAUTHENTICATED for ${name}`, async () => {
      const token = await make();
      const response = typeof token === 'string' ? await list(token) : await list(undefined, token.raw);
      assert.equal(response.status, 401);
      assert.equal(response.body.code, 'UNAUTHENTICATED');
    });
  }

  it('needs no token for /health and the OpenAPI document', async () => {
    assert.equal((await hub.request('GET', '/health')).status, 200);
    const docs = await hub.request('GET', '/docs/json');
    assert.equal(docs.status, 200);
    assert.ok(docs.body.paths['/api/referrals/{id}/send']);
  });
});

describe('bearer tokens of an external identity provider (JWKS_URL)', () => {
  let hub: Harness;
  let jwks: Server;
  let idpKey: CryptoKey;
  const idp = { issuer: 'https://idp.test', audience: 'referral-hub-api' };

  before(async () => {
    const pair = await generateKeyPair('RS256');
    idpKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    hub = await startHarness(engine, { config: { jwt: { ...idp, jwksUrl } } });
  });
  after(async () => {
    await hub.close();
    jwks.close();
  });

  it("accepts the provider's token and refuses the instance's own", async () => {
    const token = await new SignJWT(demoClaims('dr-smith'))
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setIssuedAt()
      .setExpirationTime(now() + 600)
      .sign(idpKey);
    assert.equal((await hub.request('GET', '/api/referrals', { as: { token } })).status, 200);
    const own = await mintToken(hub.key, demoClaims('dr-smith'), { ...idp, ttlSeconds: 600 });
    assert.equal((await hub.request('GET', '/api/referrals', { as: { token: own } })).status, 401);
  });
});
