// Driving the clinician web app in Chromium: a hub with the app built and the demo clinicians, a page
// that records console errors, the axe-core check every screen must pass, signing in through the
// service's own sign-in page, and screenshots of a screen at desktop and phone width.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { seedDemoClinicians } from '../../src/modules/demo/seed.js';
import { launchChromium, SCREENSHOTS } from './browser.js';
import { testEngines } from './engines.js';
import { startReachableHarness, type Harness } from './harness.js';

/**
 * The app built, a hub on the first test engine listening where it says it is (on a clock that
 * follows real time, as the sign-in's tokens do), the demo clinicians with `password`, and Chromium.
 */
export async function startAppHarness(password: string): Promise<{ hub: Harness; browser: Browser }> {
  const built = spawnSync(process.execPath, ['scripts/build-web.mjs'], { encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const hub = await startReachableHarness(testEngines()[0]!, { clock: 'running' });
  await seedDemoClinicians(hub.database.db, hub.clock, password);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return { hub, browser: await launchChromium() };
}

/** A page of its own browser context (its own sign-in; no transitions, so screens are checked as they settle), that records console errors, uncaught exceptions and refused requests. */
export async function appPage(browser: Browser, width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext({ viewport: { width, height: width > 500 ? 800 : 844 }, reducedMotion: 'reduce' })).newPage();
  const errors: string[] = [];
  // A refused request is logged by Chromium without its address; the response says which it was.
  page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()));
  page.on(
    'response',
    (response) => response.status() >= 400 && errors.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`),
  );
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Fails on any serious or critical axe-core violation of the screen as it is now. */
export async function assertAccessible(page: Page, screen: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  assert.deepEqual(
    serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`),
    [],
    `${screen} has no serious or critical accessibility violation`,
  );
}

/** Opens the app and signs in as `username`, landing on the worklists. */
export async function signInToApp(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/app/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#username').waitFor();
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Checks the screen with axe, then saves it at desktop and at phone width (`<name>-desktop.png`, `<name>-phone.png`). */
export async function checkAndSave(page: Page, name: string) {
  const size = page.viewportSize();
  await assertAccessible(page, name);
  for (const [label, width, height] of [
    ['desktop', 1280, 800],
    ['phone', 390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    // From the top, so the page's fixed header is where a person sees it.
    await page.evaluate(() => window.scrollTo(0, 0));
    await assertAccessible(page, `${name} at ${label} width`);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${label}.png`, fullPage: true });
  }
  if (size) await page.setViewportSize(size);
}

/** Waits until the referral screen says the referral stands at `standing`. */
export const standingIs = (page: Page, standing: string) =>
  page.waitForFunction((expected) => document.querySelector('[data-standing]')?.textContent?.startsWith(expected), standing, { timeout: 15_000 });
