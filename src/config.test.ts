// Configuration that decides what a new install holds: demo data only on the embedded database or
// when DEMO=true is said explicitly, so a PostgreSQL deployment starts clean.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from './config.js';

describe('demo mode', () => {
  const demo = (env: Record<string, string>) => loadConfig(env, []).demo;
  it('is on for the embedded database unless DEMO=false', () => {
    assert.equal(demo({}), true);
    assert.equal(demo({ DEMO: 'false' }), false);
  });
  it('is off with DATABASE_URL unless DEMO=true', () => {
    assert.equal(demo({ DATABASE_URL: 'postgres://db/referrals' }), false);
    assert.equal(demo({ DATABASE_URL: 'postgres://db/referrals', DEMO: 'true' }), true);
  });
});
