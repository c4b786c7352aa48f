// `npm run --silent token -- <identity>` prints a signed token (valid 12 h) for a demo identity.
// It reads the signing key from DATA_DIR, not the database, so it works while the server runs.
import { loadConfig } from '../src/config.js';
import { DEMO_TOKEN_TTL_SECONDS, demoClaims } from '../src/modules/demo/identities.js';
import { mintToken } from '../src/modules/identity/tokens.js';
import { loadSigningKey } from '../src/platform/keys.js';

const config = loadConfig(process.env, []);
const name = process.argv[2];
if (!config.demo) {
  console.error('Demo tokens are only minted in demo mode; this instance has DEMO=false.');
  process.exit(1);
}
if (!name) {
  console.error('Usage: npm run --silent token -- <dr-smith|dr-patel|dr-other|patient|admin>');
  process.exit(2);
}
try {
  const key = await loadSigningKey({ jwk: config.signingKeyJwk, dataDir: config.dataDir });
  process.stdout.write(`${await mintToken(key, demoClaims(name), { ...config.jwt, ttlSeconds: DEMO_TOKEN_TTL_SECONDS })}\n`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
