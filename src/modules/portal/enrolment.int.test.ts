// A patient's enrolment in Chromium, as they meet it: the link from their practice opens a page to
// create a password (refusing two that differ), then the portal signs them in; a link to an app the
// hub does not know says so. Screenshots at phone and desktop width.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, SCREENSHOTS, withoutChromium } from '../../../test/support/browser.js';
import { testEngines } from '../../../test/support/engines.js';
import { startReachableHarness, type Harness } from '../../../test/support/harness.js';

const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

describe('a patient enrols through their link in Chromium', { skip: withoutChromium }, () => {
  const [engine] = testEngines();
  let hub: Harness;
  let browser: Browser;
  before(async () => {
    hub = await startReachableHarness(engine!);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser.close();
    await hub.close();
  });

  for (const [size, viewport] of Object.entries(WIDTHS)) {
    it(`creates a password and signs in (${size})`, async () => {
      const invited = await hub.request('POST', '/api/admin/patient-accounts', {
        as: 'admin',
        body: { username: `alex.${size}`, patientId: `Patient/alex-${size}` },
      });
      const page = await browser.newPage({ viewport });
      await page.goto(invited.body.link.url);
      assert.equal(await page.locator('h1').textContent(), 'Welcome to your consent portal');
      await page.screenshot({ path: `${SCREENSHOTS}/enrolment-${size}.png`, fullPage: true });
      await page.fill('#password', 'correct horse battery');
      await page.fill('#confirm', 'correct horse battery!');
      await page.click('button[type=submit]');
      assert.match((await page.locator('[role=alert]').textContent())!, /not the same/);
      await page.fill('#password', 'correct horse battery');
      await page.fill('#confirm', 'correct horse battery');
      await page.click('button[type=submit]');
      assert.equal(await page.locator('h1').textContent(), 'Your password is saved');
      await page.screenshot({ path: `${SCREENSHOTS}/enrolment-done-${size}.png`, fullPage: true });
      await page.click('text=Sign in to your consent portal');
      await page.fill('#username', `alex.${size}`);
      await page.fill('#password', 'correct horse battery');
      await page.click('button[type=submit]');
      assert.equal(await page.locator('h1').textContent(), 'Who may read your records');
      assert.match(await page.content(), /City Hospital Patient Record/);
      await page.goto(invited.body.link.url);
      assert.equal(await page.locator('h1').textContent(), 'This link no longer works');
      await page.screenshot({ path: `${SCREENSHOTS}/enrolment-used-link-${size}.png`, fullPage: true });
      await page.goto(`${hub.baseUrl}/consent/portal?client_id=unknown-app`);
      assert.equal(await page.locator('h1').textContent(), 'We could not find that app');
      await page.screenshot({ path: `${SCREENSHOTS}/portal-unknown-app-${size}.png`, fullPage: true });
      await page.close();
    });
  }
});
