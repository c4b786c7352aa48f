// The patient's whole story in Debian's Chromium: consent in the portal, the clinician's send passes,
// the cardiology unit's SMART app launches (sign-in, consent screen) and shows the records; the
// patient revokes Condition, and the app's next Condition read is refused while Observation still reads.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../../test/support/ports.js';
import { launchChromium, SCREENSHOTS, withoutChromium } from '../../../test/support/browser.js';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, startHarness, type Harness } from '../../../test/support/harness.js';
import { seedDemoClinicalRecord } from '../demo/clinical-record.js';
import { seedDemoPortal } from '../demo/seed.js';

const PASSWORD = 'story-test-password';

describe('consent, referral and SMART app in Chromium', { skip: withoutChromium }, () => {
  const [engine] = testEngines();
  let hub: Harness;
  let browser: Browser;
  before(async () => {
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    hub = await startHarness(engine!, { config: { port, publicBaseUrl, mirror: { enabled: false, pollMs: 50, retryMaxMs: 200 } } });
    await seedDemoPortal(hub.database.db, hub.clock, PASSWORD);
    await seedDemoClinicalRecord(hub.database.db, hub.app.fhirBackend);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  const row = (page: Page, type: string) => page.locator(`[data-client-id="royal-london-cardiology-smart"] [data-resource-type="${type}"]`);

  it('walks the story end to end', async () => {
    const portal = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await portal.goto(`${hub.baseUrl}/consent/portal?client_id=royal-london-cardiology-smart`);
    await portal.fill('#username', 'patient');
    await portal.fill('#password', PASSWORD);
    await portal.click('button[type=submit]');
    for (const type of ['Observation', 'Condition', 'DiagnosticReport']) await row(portal, type).locator('button', { hasText: 'Allow' }).click();
    await portal.screenshot({ path: `${SCREENSHOTS}/portal-granted.png`, fullPage: true });

    const id = await createDraft(hub);
    const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));

    const app = await browser.newPage();
    await app.goto(`${hub.baseUrl}/demo/smart-app`);
    await app.click('#launch');
    await app.waitForSelector('#username');
    await app.fill('#username', 'patient');
    await app.fill('#password', PASSWORD);
    await app.click('button[type=submit]');
    await app.waitForSelector('form[action$="/consent"]');
    for (const type of ['Observation', 'Condition', 'DiagnosticReport'])
      assert.match(await app.locator(`[data-resource-type="${type}"]`).innerText(), /You already allow this/);
    assert.match(await app.locator('[data-resource-type="Condition"] legend').innerText(), /Diagnoses and health problems\s+Condition/);
    assert.match(await app.locator('main').innerText(), /Signed in as Jordan Example/);
    await app.screenshot({ path: `${SCREENSHOTS}/smart-consent-screen.png`, fullPage: true });
    await app.setViewportSize({ width: 390, height: 844 });
    await app.screenshot({ path: `${SCREENSHOTS}/smart-consent-screen-phone.png`, fullPage: true });
    await app.setViewportSize({ width: 1280, height: 720 });
    await app.click('button[type=submit]');
    await app.waitForSelector('section[data-resource-type="DiagnosticReport"]');
    assert.match(await app.locator('section[data-resource-type="Observation"]').innerText(), /Troponin/i);
    assert.match(await app.locator('section[data-resource-type="Condition"]').innerText(), /Angina/i);
    assert.match(await app.locator('section[data-resource-type="DiagnosticReport"]').innerText(), /Cardiac work-up/);
    await app.screenshot({ path: `${SCREENSHOTS}/smart-app-data.png`, fullPage: true });

    await portal.goto(`${hub.baseUrl}/consent/portal?client_id=royal-london-cardiology-smart`);
    await row(portal, 'Condition').locator('a', { hasText: 'Stop sharing' }).click();
    await portal.locator('button', { hasText: 'Yes, stop sharing' }).click();
    assert.match(await row(portal, 'Condition').innerText(), /Not allowed/);

    await app.click('#reload');
    await app.waitForSelector('section[data-resource-type="DiagnosticReport"]');
    assert.match(await app.locator('section[data-resource-type="Condition"]').innerText(), /Access refused/);
    assert.match(await app.locator('section[data-resource-type="Observation"]').innerText(), /Troponin/i);
    await app.screenshot({ path: `${SCREENSHOTS}/smart-app-after-revoke.png`, fullPage: true });

    // The patient sees who read their records, and the read they refused.
    await portal.goto(`${hub.baseUrl}/consent/portal`);
    assert.equal(await portal.locator('#recent-reads tr').count(), 5, 'the latest five on the portal');
    await portal.locator('a', { hasText: 'See every time your records were read' }).click();
    const reads = portal.locator('#reads tr');
    assert.equal(await reads.count(), 6, 'three types read twice: before and after the revocation');
    assert.match(
      await portal.locator('#reads').innerText(),
      /Royal London Cardiology\s+Royal London Hospital — Cardiology\s+Diagnoses and health problems\s+Refused/,
    );
    assert.equal(await portal.locator('#reads .refused').count(), 1);
    await portal.screenshot({ path: `${SCREENSHOTS}/portal-reads.png`, fullPage: true });
    await portal.setViewportSize({ width: 1280, height: 800 });
    await portal.screenshot({ path: `${SCREENSHOTS}/portal-reads-desktop.png`, fullPage: true });

    const referral = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
    assert.equal(referral.body.status, 'ACTIVE');
  });
});
