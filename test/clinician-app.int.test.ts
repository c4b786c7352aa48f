// The clinician web app in Debian's Chromium, on the demo data: Dr Patel signs in through the
// service's own sign-in (PKCE), sees his worklists with their counts, and a referral Dr Smith sends
// arrives in "New: to triage" without a reload; he accepts, starts and completes it with a note. Dr
// Smith, at phone width, holds a referral with a reason and resumes it. The app renews its access
// token before it expires; a new practitioner sets their password from an administrator's link and
// signs in with it; a referral is also signed in to, opened and accepted by keyboard alone. Every screen has no serious or critical axe-core
// violation and no console error; screenshots at desktop and phone width are saved.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, withoutChromium } from './support/browser.js';
import { appPage as openAppPage, assertAccessible, checkAndSave, signInToApp, startAppHarness } from './support/clinician-app.js';
import { createDraft, grantConsent, type Harness } from './support/harness.js';

const PASSWORD = 'clinician-app-password';

describe('the clinician web app in Chromium', { skip: withoutChromium }, () => {
  let hub: Harness;
  let browser: Browser;
  before(async () => {
    ({ hub, browser } = await startAppHarness(PASSWORD));
    await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  const appPage = (width: number) => openAppPage(browser, width);

  const newCount = async (page: Page) => Number(await page.locator('[data-worklist="new"] .mantine-Badge-label').innerText());

  it('signs Dr Patel in, shows his worklists, and a referral sent to him arrives without a reload', async () => {
    const { page, errors } = await appPage(1280);
    await page.goto(`${hub.baseUrl}/app/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await assertAccessible(page, 'the sign-in screen');
    await page.screenshot({ path: `${SCREENSHOTS}/app-sign-in-desktop.png`, fullPage: true });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#username').waitFor();
    await assertAccessible(page, 'the clinicians’ sign-in page');
    await page.screenshot({ path: `${SCREENSHOTS}/clinician-sign-in-desktop.png`, fullPage: true });
    await page.fill('#username', 'dr-patel');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('[data-worklist="new"]').click();
    await page.getByRole('heading', { name: 'New: to triage' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/app/', 'the code is gone from the address');
    assert.match(await page.locator('header').innerText(), /Dr Raj Patel/);
    const before = await newCount(page);

    const id = await createDraft(hub);
    assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
    await page.locator(`[data-referral-id="${id}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await newCount(page), before + 1, 'the count follows');
    await assertAccessible(page, 'the worklists');
    await page.screenshot({ path: `${SCREENSHOTS}/app-worklists-desktop.png`, fullPage: true });

    await page.locator(`[data-referral-id="${id}"] button`).first().click();
    const standing = page.locator('[data-standing]');
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-standing]')?.textContent === 'Accepted');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-standing]')?.textContent === 'In progress');
    await page.getByRole('button', { name: 'Complete…' }).click();
    await page.getByLabel('Note for the referrer (optional)').fill('Seen in clinic; angiography booked.');
    await assertAccessible(page, 'the referral, completing');
    await page.screenshot({ path: `${SCREENSHOTS}/app-referral-completing-desktop.png`, fullPage: true });
    await page.getByRole('button', { name: 'Complete the referral' }).click();
    await page.waitForFunction(() => document.querySelector('[data-standing]')?.textContent === 'Completed');
    assert.equal(await standing.innerText(), 'Completed');
    assert.match(await page.locator('[data-note]').first().innerText(), /Seen in clinic; angiography booked\./, 'the note shown with it');
    await page.screenshot({ path: `${SCREENSHOTS}/app-referral-completed-desktop.png`, fullPage: true });
    const seenBySmith = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
    assert.equal(seenBySmith.body.status, 'COMPLETED', 'Dr Smith sees it completed');
    const [task] = (await hub.request('GET', `/api/referrals/${id}/tasks`, { as: 'dr-smith' })).body;
    assert.ok(
      task.notes.some((note: { text: string }) => note.text === 'Seen in clinic; angiography booked.'),
      'with the note',
    );
    assert.deepEqual(errors, []);
  });

  it('reads at phone width: Dr Smith chooses a list, puts a referral on hold with a reason and resumes it', async () => {
    const id = await createDraft(hub);
    assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
    const { page, errors } = await appPage(390);
    await page.goto(`${hub.baseUrl}/app/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/app-sign-in-phone.png`, fullPage: true });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#username').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/clinician-sign-in-phone.png`, fullPage: true });
    await page.fill('#username', 'dr-smith');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    const chooser = page.getByLabel('Worklist', { exact: true });
    await chooser.waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/app-worklists-phone.png`, fullPage: true });
    await chooser.selectOption('awaiting-answer');
    await page.getByRole('heading', { name: 'Awaiting an answer' }).waitFor();

    await page.locator(`[data-referral-id="${id}"]`).waitFor();
    await assertAccessible(page, 'the worklists at phone width');
    await page.screenshot({ path: `${SCREENSHOTS}/app-worklist-awaiting-phone.png`, fullPage: true });

    await page.locator(`[data-referral-id="${id}"] button`).first().click();
    await page.getByRole('button', { name: 'Put on hold…' }).click();
    await page.getByLabel('Reason (optional), shown to both sides').fill('Patient abroad until March');
    await page.getByRole('button', { name: 'Put the referral on hold' }).click();
    await page.waitForFunction(() => document.querySelector('[data-standing]')?.textContent === 'On hold');
    await assertAccessible(page, 'a referral on hold at phone width');
    await page.screenshot({ path: `${SCREENSHOTS}/app-referral-on-hold-phone.png`, fullPage: true });
    assert.match(await page.locator('main').innerText(), /Why on hold\s+Patient abroad until March/);
    const held = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-patel' });
    assert.equal(held.body.holdReason, 'Patient abroad until March', 'the receiver reads why');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-standing]')?.textContent === 'Sent, not yet received');
    assert.deepEqual(errors, []);
  });

  it('renews its access token with the refresh token before it expires, without signing the clinician out', async () => {
    const { page, errors } = await appPage(1280);
    await signInToApp(page, hub.baseUrl, 'dr-smith', PASSWORD);
    const stored = () =>
      page.evaluate(() => JSON.parse(sessionStorage.getItem('referral-hub.session') ?? 'null') as { accessToken: string; expiresAt: number });
    const before = await stored();
    // As if the ten minutes were nearly over: the next request renews first.
    await page.evaluate(() => {
      const session = JSON.parse(sessionStorage.getItem('referral-hub.session')!);
      sessionStorage.setItem('referral-hub.session', JSON.stringify({ ...session, expiresAt: Date.now() + 5_000 }));
    });
    await page.locator('[data-worklist]:not([data-active])').first().click();
    await page.waitForFunction((old) => JSON.parse(sessionStorage.getItem('referral-hub.session') ?? 'null')?.accessToken !== old, before.accessToken);
    const after = await stored();
    assert.ok(after.expiresAt - Date.now() > 500_000, 'a fresh ten minutes');
    assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible(), 'still signed in');
    assert.deepEqual(errors, []);
  });

  it('lets a practitioner set their password from the link an administrator gave them, then sign in with it', async () => {
    await hub.request('POST', '/api/admin/practitioners', { as: 'admin', body: { id: 'dr-lee', name: 'Dr Ana Lee' } });
    await hub.request('POST', '/api/admin/practitioners/dr-lee/roles', { as: 'admin', body: { organization: 'Organization/city-hospital', role: 'receiver' } });
    const invited = await hub.request('POST', '/api/admin/practitioners/dr-lee/account-link', { as: 'admin' });
    assert.equal(invited.status, 201);
    const { page, errors } = await appPage(1280);
    await page.goto(invited.body.link.url);
    await page.getByRole('heading', { name: 'Welcome to Referral Hub' }).waitFor();
    await checkAndSave(page, 'clinician-enrol');
    await page.fill('#password', 'lee-own-password');
    await page.fill('#confirm', 'lee-own-password');
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Your password is saved' }).waitFor();
    await checkAndSave(page, 'clinician-enrolled');
    await page.getByRole('link', { name: 'Sign in to Referral Hub' }).click();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.fill('#username', 'dr-lee');
    await page.fill('#password', 'lee-own-password');
    await page.click('button[type=submit]');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.match(await page.locator('header').innerText(), /Dr Ana Lee/);
    assert.deepEqual(errors, []);
  });

  it('works by keyboard alone: sign in, choose a list, open a referral, accept it', async () => {
    const id = await createDraft(hub);
    assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
    const { page, errors } = await appPage(1280);
    /** Presses Tab until the focused element's text is `text` (or fails naming it). */
    const tabTo = async (text: string) => {
      for (let presses = 0; presses < 60; presses++) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === text) return;
      }
      assert.fail(`no focusable "${text}" within 60 presses of Tab`);
    };
    await page.goto(`${hub.baseUrl}/app/`);
    await tabTo('Sign in');
    await page.keyboard.press('Enter');
    await page.locator('#username').waitFor();
    for (let presses = 0; presses < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'username'; presses++) await page.keyboard.press('Tab');
    await page.keyboard.type('dr-patel');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('[data-worklist="new"]').waitFor();
    await tabTo('New: to triage' + (await page.locator('[data-worklist="new"] .mantine-Badge-label').innerText()));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New: to triage' }).waitFor();
    await page.locator(`[data-referral-id="${id}"]`).waitFor();
    await tabTo('Patient referral to cardiologist');
    await page.keyboard.press('Enter');
    await page.locator('[data-standing]').waitFor();
    await tabTo('Accept');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-standing]')?.textContent === 'Accepted');
    assert.deepEqual(errors, []);
  });
});
