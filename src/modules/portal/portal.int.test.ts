// The consent portal: signing in, CSRF, cookies, granting and revoking per resource type — over
// plain HTTP on every test database, and in a real browser (Debian's Chromium) for the patient's
// whole story: grant in the portal, the clinician's send passes, revoke, the referral warns.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, SCREENSHOTS, withoutChromium } from '../../../test/support/browser.js';
import { testEngines } from '../../../test/support/engines.js';
import { csrfIn, formClient } from '../../../test/support/form-client.js';
import { createDraft, startHarness, type Harness } from '../../../test/support/harness.js';
import { seedDemoPortal } from '../demo/seed.js';

const PASSWORD = 'portal-test-password';

for (const engine of testEngines()) {
  describe(`consent portal over HTTP on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
      await seedDemoPortal(hub.database.db, hub.clock, PASSWORD);
    });
    after(() => hub.close());

    async function signIn(password = PASSWORD) {
      const client = formClient(hub.baseUrl);
      const page = await client.get('/consent/portal');
      const signedIn = await client.post('/consent/portal/login', { csrf: csrfIn(page.html), username: 'patient', password });
      return { client, signedIn };
    }

    it('shows a sign-in form first, and refuses a wrong password with 401', async () => {
      const { signedIn } = await signIn('not-the-password');
      assert.equal(signedIn.response.status, 401);
      assert.match(signedIn.html, /do not match/);
    });

    it('refuses a sign-in without the form’s CSRF token', async () => {
      const client = formClient(hub.baseUrl);
      await client.get('/consent/portal');
      const forged = await client.post('/consent/portal/login', { csrf: 'forged', username: 'patient', password: PASSWORD });
      assert.equal(forged.response.status, 403);
    });

    it('signs in with an HttpOnly, SameSite session cookie and lists the cardiology app', async () => {
      const { client, signedIn } = await signIn();
      assert.equal(signedIn.response.status, 303);
      const setCookie = signedIn.response.headers.getSetCookie().find((line) => line.startsWith('rh_portal='))!;
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
      assert.match(setCookie, /Path=\/consent\/portal/);
      const portal = await client.get('/consent/portal?client_id=royal-london-cardiology-smart');
      assert.match(portal.html, /Royal London Cardiology/);
      assert.match(portal.html, /class="card focus"[^>]*data-client-id="royal-london-cardiology-smart"/);
      for (const type of ['Observation', 'Condition', 'DiagnosticReport']) assert.match(portal.html, new RegExp(`data-resource-type="${type}"`));
    });

    it('grants and revokes one resource type, recorded as portal grants', async () => {
      const { client } = await signIn();
      const page = await client.get('/consent/portal');
      const granted = await client.post('/consent/portal/grant', {
        csrf: csrfIn(page.html),
        client_id: 'royal-london-cardiology-smart',
        resource_type: 'Condition',
      });
      assert.equal(granted.response.status, 303);
      const grants = (await hub.request('GET', '/api/consent?patientId=Patient/ePatient-8675309&status=active', { as: 'patient' })).body.grants;
      const condition = grants.find((grant: any) => grant.resourceType === 'Condition' && grant.clientId === 'royal-london-cardiology-smart');
      assert.equal(condition.source, 'portal');
      const revoked = await client.post('/consent/portal/revoke', {
        csrf: csrfIn(page.html),
        grant_id: String(condition.id),
        client_id: 'royal-london-cardiology-smart',
      });
      assert.equal(revoked.response.status, 303);
      const after = (await hub.request('GET', '/api/consent?patientId=Patient/ePatient-8675309&status=active', { as: 'patient' })).body.grants;
      assert.ok(!after.some((grant: any) => grant.id === condition.id));
    });

    it('refuses a signed-in form without the session’s CSRF token, changing nothing', async () => {
      const { client } = await signIn();
      const before = (await hub.request('GET', '/api/consent?patientId=Patient/ePatient-8675309', { as: 'patient' })).body.grants.length;
      const forged = await client.post('/consent/portal/grant', { csrf: 'forged', client_id: 'royal-london-cardiology-smart', resource_type: 'Observation' });
      assert.equal(forged.response.status, 403);
      assert.equal((await hub.request('GET', '/api/consent?patientId=Patient/ePatient-8675309', { as: 'patient' })).body.grants.length, before);
    });

    it('names the portal in the clinician’s 422', async () => {
      const id = await createDraft(hub, { patientId: 'Patient/portal-422', sharedResourceTypes: ['Condition'] });
      const refused = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.consentPortalUrl, '/consent/portal?client_id=royal-london-cardiology-smart');
    });
  });
}

describe('the patient’s consent story in Chromium', { skip: withoutChromium }, () => {
  const [engine] = testEngines();
  let hub: Harness;
  let browser: Browser;
  before(async () => {
    hub = await startHarness(engine!, { config: { mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    await seedDemoPortal(hub.database.db, hub.clock, PASSWORD);
    await hub.request('POST', '/api/consent', {
      as: 'patient',
      body: { patientId: 'Patient/ePatient-8675309', clientId: 'royal-london-cardiology-smart', resourceTypes: ['Observation', 'DiagnosticReport'] },
    });
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('signs in, allows Condition, the send passes; revoking Condition leaves the referral ACTIVE with a warning', async () => {
    const id = await createDraft(hub);
    const refused = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
    assert.equal(refused.status, 422);

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${hub.baseUrl}${refused.body.consentPortalUrl}`);
    await page.fill('#username', 'patient');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    const card = page.locator('[data-client-id="royal-london-cardiology-smart"]');
    await card.locator('[data-resource-type="Condition"] button', { hasText: 'Allow' }).click();
    assert.match(await card.locator('[data-resource-type="Condition"]').innerText(), /Allowed/);
    await page.screenshot({ path: `${SCREENSHOTS}/consent-portal.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SCREENSHOTS}/consent-portal-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });

    const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.status, 'ACTIVE');

    const pageText = await page.locator('main').innerText();
    assert.match(pageText, /Signed in as Jordan Example/, 'the patient by name');
    assert.doesNotMatch(pageText, /Patient\/|Organization\/|royal-london-cardiology-smart/, 'no references or client ids');
    assert.match(await card.locator('[data-resource-type="Observation"]').innerText(), /Test results and measurements\s+Observation/);

    const stopSharing = card.locator('[data-resource-type="Condition"] a', { hasText: 'Stop sharing' });
    await stopSharing.click();
    assert.match(await page.locator('h1').innerText(), /Stop sharing your diagnoses and health problems\?/);
    assert.match(await page.locator('main').innerText(), /Royal London Cardiology/);
    await page.screenshot({ path: `${SCREENSHOTS}/consent-portal-confirm-revoke.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SCREENSHOTS}/consent-portal-confirm-revoke-desktop.png`, fullPage: true });
    await page.locator('a', { hasText: 'No, keep sharing' }).click();
    assert.match(await card.locator('[data-resource-type="Condition"]').innerText(), /Allowed/, 'nothing revoked without the confirmation');
    await stopSharing.click();
    await page.locator('button', { hasText: 'Yes, stop sharing' }).click();
    assert.match(await card.locator('[data-resource-type="Condition"]').innerText(), /Not allowed/);
    assert.match(await card.locator('[data-resource-type="Observation"]').innerText(), /Allowed/);
    await page.screenshot({ path: `${SCREENSHOTS}/consent-portal-after-revoke.png`, fullPage: true });

    const referral = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
    assert.equal(referral.body.status, 'ACTIVE');
    assert.deepEqual(
      referral.body.consentWarnings.map((warning: any) => warning.resourceType ?? warning),
      ['Condition'],
    );
  });
});
