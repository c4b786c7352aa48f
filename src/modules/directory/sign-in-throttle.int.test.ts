// Password guessing is throttled per account and per address, on the portal and the SMART sign-in
// alike: past a few failures a lock answers 429 with Retry-After (even for the right password) until
// it runs out, each failure and lock is audited, and a success clears the account's count.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { csrfIn, formClient } from '../../../test/support/form-client.js';
import { demoAppAuthorizationUrl, type Harness, startReachableHarness } from '../../../test/support/harness.js';
import { seedDemoPortal } from '../demo/seed.js';

const PASSWORD = 'throttle-test-password';

for (const engine of testEngines()) {
  describe(`sign-in throttling on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startReachableHarness(engine);
      await seedDemoPortal(hub.database.db, hub.clock, PASSWORD);
    });
    after(() => hub.close());

    async function portalSignIn(username: string, password: string) {
      const browser = formClient(hub.baseUrl);
      const login = await browser.get('/consent/portal');
      return browser.post('/consent/portal/login', { csrf: csrfIn(login.html), username, password });
    }

    async function smartSignIn(username: string, password: string) {
      const browser = formClient(hub.baseUrl);
      const page = await browser.follow(demoAppAuthorizationUrl(hub));
      const uid = /\/oauth\/interaction\/([^/"]+)\/login/.exec(page.html)![1]!;
      return browser.post(`/oauth/interaction/${uid}/login`, { username, password });
    }

    it('locks an account after five wrong passwords, on the portal and the SMART sign-in alike, until the lock runs out', async () => {
      for (let attempt = 1; attempt <= 6; attempt++) assert.equal((await portalSignIn('patient', `guess-${attempt}`)).status, 401);
      const locked = await portalSignIn('patient', PASSWORD);
      assert.equal(locked.status, 429, 'even the right password waits for the lock');
      assert.ok(Number(locked.response.headers.get('retry-after')) > 0);
      assert.match(locked.html, /Too many attempts/);
      const viaSmart = await smartSignIn('patient', PASSWORD);
      assert.equal(viaSmart.status, 429);
      assert.ok(Number(viaSmart.response.headers.get('retry-after')) > 0);
      hub.clock.advance(31_000);
      assert.equal((await portalSignIn('patient', PASSWORD)).status, 303);
      assert.equal((await portalSignIn('patient', 'one-more-guess')).status, 401, 'a success cleared the count');
      const audited = await hub.database.db.selectFrom('audit_event').select(['action', 'detail']).where('chain', '=', 'sign-in').orderBy('seq').execute();
      assert.equal(audited.filter((event) => event.action === 'auth.sign-in').length, 6);
      assert.equal(audited.filter((event) => event.action === 'auth.sign-in.locked').length, 1);
      assert.doesNotMatch(JSON.stringify(audited), /guess-|127\.0\.0\.1/, 'neither the guesses nor the address are kept');
    });

    it('locks an address that guesses at many accounts', async () => {
      hub.clock.advance(16 * 60_000);
      for (let attempt = 1; attempt <= 21; attempt++) await portalSignIn(`someone-${attempt}`, 'wrong');
      const refused = await portalSignIn('patient', PASSWORD);
      assert.equal(refused.status, 429);
      hub.clock.advance(16 * 60_000);
      assert.equal((await portalSignIn('patient', PASSWORD)).status, 303);
    });
  });
}
