// The instance's token signing key. It lives outside the database (in DATA_DIR/keys or in config) so
// that the token command can sign while the server holds the embedded database.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  /** The private JWK itself, for libraries that take keys as JWKs (the SMART authorization server). */
  privateJwk: JWK;
}

/** Loads the key from a JWK string, or from the key file in `dataDir`, generating that on first use. */
export async function loadSigningKey(options: { jwk?: string; dataDir: string; file?: string }): Promise<SigningKey> {
  const jwk = options.jwk ? (JSON.parse(options.jwk) as JWK) : await readOrCreateKeyFile(options.dataDir, options.file ?? 'signing-key.json');
  return importSigningKey(jwk);
}

export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: SIGNING_ALG, use: 'sig', kid: `rh-${Date.now().toString(36)}` };
}

export async function importSigningKey(jwk: JWK): Promise<SigningKey> {
  if (!jwk.d) throw new Error('The signing key must be a private JWK');
  const { d: _private, ...publicJwk } = jwk;
  return {
    kid: jwk.kid ?? 'default',
    privateKey: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, SIGNING_ALG)) as CryptoKey,
    publicJwk,
    privateJwk: jwk,
  };
}

async function readOrCreateKeyFile(dataDir: string, name: string): Promise<JWK> {
  const file = path.join(dataDir, 'keys', name);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': of two processes creating the key at once, one writes and both read that one.
    await writeFile(file, JSON.stringify(await generateSigningJwk()), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return JSON.parse(await readFile(file, 'utf8')) as JWK;
}
