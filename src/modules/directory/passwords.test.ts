// Portal passwords are scrypt hashes with their own salt, and only the right password matches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from './passwords.js';

describe('portal passwords', () => {
  it('stores a salted scrypt hash that the right password, and only it, matches', async () => {
    const [first, second] = [await hashPassword('correct horse'), await hashPassword('correct horse')];
    assert.match(first, /^scrypt\$16384\$8\$1\$/);
    assert.notEqual(first, second, 'each hash has its own salt');
    assert.ok(!first.includes('correct horse'));
    assert.equal(await verifyPassword('correct horse', first), true);
    assert.equal(await verifyPassword('correct horse ', first), false);
    assert.equal(await verifyPassword('', first), false);
  });

  it('matches nothing against the stand-in hash for unknown usernames', async () => {
    assert.equal(await verifyPassword('', UNKNOWN_ACCOUNT_HASH), false);
    assert.equal(await verifyPassword('consent-demo', UNKNOWN_ACCOUNT_HASH), false);
  });
});
