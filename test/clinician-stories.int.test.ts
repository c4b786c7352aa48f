// The clinician app's two stories of issue 15, in Debian's Chromium on the demo data, each clinician
// and the patient in a browser of their own:
// 1. Dr Smith drafts a referral to cardiology and sees Condition marked as not consented; the patient
//    allows it in the consent portal; the form shows it consented without reloading; the send passes;
//    Dr Patel sees it arrive in "New: to triage" without reloading, accepts, starts and completes it
//    with a note; Dr Smith sees it completed.
// 2. Cardiology rejects a referral; Dr Smith redirects it to City Hospital from the referral screen:
//    refused until the patient consents for City Hospital's app (the refusal says what to tell the
//    patient, with the portal's link as a QR code), then sent there.
// Every screen passes axe-core and is saved at desktop and phone width.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PATIENT } from '../src/modules/demo/identities.js';
import { seedDemoClinicians, seedDemoData, seedDemoPortal } from '../src/modules/demo/seed.js';
import { launchChromium, SCREENSHOTS, withoutChromium } from './support/browser.js';
import { appPage, checkAndSave, signInToApp, standingIs } from './support/clinician-app.js';
import { testEngines } from './support/engines.js';
import { createDraft, grantConsent, startReachableHarness, type Harness } from './support/harness.js';

const PASSWORD = 'clinician-story-password';
const PATIENT_PASSWORD = 'patient-story-password';
const CARDIOLOGY = 'Royal London Hospital — Cardiology';

describe('the clinician app’s stories in Chromium', { skip: withoutChromium }, () => {
  const [engine] = testEngines();
  let hub: Harness;
  let browser: Browser;
  before(async () => {
    const built = spawnSync(process.execPath, ['scripts/build-web.mjs'], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    hub = await startReachableHarness(engine!);
    await seedDemoData(hub.database.db, hub.clock);
    await seedDemoPortal(hub.database.db, hub.clock, PATIENT_PASSWORD);
    await seedDemoClinicians(hub.database.db, hub.clock, PASSWORD);
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  /** The consent badge of a record type on the draft form. */
  const consentOf = (page: Page, type: string) => page.locator(`[data-shared-type="${type}"] [data-consent]`).getAttribute('data-consent');

  it('drafts with the consent in view, the patient allows Condition in the portal, the form follows, and the referral is sent, worked and completed', async () => {
    const smith = await appPage(browser, 1280);
    const patel = await appPage(browser, 1280);
    await signInToApp(patel.page, hub.baseUrl, 'dr-patel', PASSWORD);
    await patel.page.locator('[data-worklist="new"]').click();
    await patel.page.getByRole('heading', { name: 'New: to triage' }).waitFor();

    const page = smith.page;
    await signInToApp(page, hub.baseUrl, 'dr-smith', PASSWORD);
    await page.getByRole('button', { name: 'New referral' }).click();
    await page.getByRole('heading', { name: 'New referral' }).waitFor();
    await page.getByRole('textbox', { name: /^Patient/ }).fill('Patient/ePatient-8675309');
    await page.getByLabel('Refer to').selectOption({ label: CARDIOLOGY });
    await page.getByText('An answer is due within 18 weeks').waitFor();
    await page.getByRole('combobox', { name: 'Reasons' }).click();
    await page.getByRole('option', { name: /Angina pectoris, unspecified/ }).click();
    await page.keyboard.press('Escape');
    await page.getByLabel('Clinical note').fill('Chest pain and elevated troponin. ECG shows ST changes.');
    for (const type of ['Observation', 'Condition', 'DiagnosticReport']) await page.getByRole('checkbox', { name: type }).check();
    await checkAndSave(page, 'app-new-referral');
    await page.getByRole('button', { name: 'Save draft' }).click();

    await page.getByRole('heading', { name: 'Draft referral' }).waitFor();
    await page.locator('[data-shared-type="Condition"] [data-consent]').waitFor();
    assert.equal(await consentOf(page, 'Condition'), 'missing', 'Condition is marked as not consented');
    assert.equal(await consentOf(page, 'Observation'), 'granted');
    assert.equal(await consentOf(page, 'DiagnosticReport'), 'granted');
    await checkAndSave(page, 'app-draft-consent-missing');
    await page.getByRole('button', { name: `Send to ${CARDIOLOGY}` }).click();
    await page.locator('[data-consent-refusal]').waitFor();
    assert.match(await page.locator('[data-consent-refusal]').innerText(), /has not agreed to share Condition with Royal London Cardiology/);
    await checkAndSave(page, 'app-send-refused');
    await page.getByRole('button', { name: 'Show as QR code' }).click();
    await page.getByRole('img', { name: /^QR code for http/ }).waitFor();
    await checkAndSave(page, 'app-consent-qr-code');
    await page.keyboard.press('Escape');

    const patient = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await patient.goto(`${hub.baseUrl}/consent/portal`);
    await patient.fill('#username', 'patient');
    await patient.fill('#password', PATIENT_PASSWORD);
    await patient.click('button[type=submit]');
    await patient.locator('[data-client-id="royal-london-cardiology-smart"] [data-resource-type="Condition"] button', { hasText: 'Allow' }).click();

    await page.waitForFunction(
      () => document.querySelector('[data-shared-type="Condition"] [data-consent]')?.getAttribute('data-consent') === 'granted',
      null,
      {
        timeout: 10_000,
      },
    );
    await checkAndSave(page, 'app-draft-consent-granted');
    await page.getByRole('button', { name: `Send to ${CARDIOLOGY}` }).click();
    await standingIs(page, 'Sent, not yet received');
    await checkAndSave(page, 'app-referral-sent');
    const id = Number(await page.locator('#referral-title').getAttribute('data-referral-id'));

    await patel.page.locator(`[data-referral-id="${id}"]`).waitFor({ timeout: 10_000 });
    await patel.page.locator(`[data-referral-id="${id}"] button`).first().click();
    await patel.page.getByRole('button', { name: 'Accept', exact: true }).click();
    await standingIs(patel.page, 'Accepted');
    await patel.page.getByRole('button', { name: 'Start', exact: true }).click();
    await standingIs(patel.page, 'In progress');
    await patel.page.getByRole('button', { name: 'Complete…' }).click();
    await patel.page.getByLabel('Note for the referrer (optional)').fill('Seen in clinic; angiography booked.');
    await patel.page.getByRole('button', { name: 'Complete the referral' }).click();
    await standingIs(patel.page, 'Completed');

    await standingIs(page, 'Completed');
    assert.match(await page.locator('[data-note]').first().innerText(), /Seen in clinic; angiography booked\. — Dr Raj Patel/);
    await checkAndSave(page, 'app-referral-completed');
    assert.deepEqual([...smith.errors, ...patel.errors], [`422 POST /api/referrals/${id}/send`], 'nothing failed but the send the gate refused');
  });

  it('redirects a rejected referral to City Hospital from the referral screen, once the patient consents for its app', async () => {
    await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport']);
    const id = await createDraft(hub);
    assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
    const patel = await appPage(browser, 390);
    await signInToApp(patel.page, hub.baseUrl, 'dr-patel', PASSWORD);
    await patel.page.getByLabel('Worklist', { exact: true }).selectOption('new');
    await patel.page.locator(`[data-referral-id="${id}"] button`).first().click();
    await patel.page.getByRole('button', { name: 'Reject…' }).click();
    await patel.page.getByLabel('Why').selectOption('WRONG_SERVICE');
    await patel.page.getByLabel('Explain to the referrer').fill('Rhythm problems are seen at City Hospital.');
    await checkAndSave(patel.page, 'app-referral-rejecting');
    await patel.page.getByRole('button', { name: 'Reject the referral' }).click();
    await standingIs(patel.page, 'Rejected');

    const { page, errors } = await appPage(browser, 390);
    await signInToApp(page, hub.baseUrl, 'dr-smith', PASSWORD);
    await page.getByLabel('Worklist', { exact: true }).selectOption('action-needed');
    await page.locator(`[data-referral-id="${id}"] button`).first().click();
    await standingIs(page, 'Rejected');
    assert.match(await page.locator('main').innerText(), /Why rejected\s+Wrong service: Rhythm problems are seen at City Hospital\./);
    await page.getByRole('button', { name: 'Redirect…' }).click();
    await page.getByLabel('Move it to').selectOption({ label: 'City Hospital' });
    await page.getByLabel('Why it moves, shown to both sides').fill('Cardiology advises City Hospital’s arrhythmia service.');
    await checkAndSave(page, 'app-referral-redirecting');
    await page.getByRole('button', { name: 'Redirect the referral' }).click();
    await page.locator('[data-consent-refusal]').waitFor();
    assert.match(await page.locator('[data-consent-refusal]').innerText(), /City Hospital Patient Record/);
    await checkAndSave(page, 'app-redirect-refused');

    await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], DEMO_PATIENT, 'city-hospital-smart');
    await page.getByRole('button', { name: 'Redirect the referral' }).click();
    await standingIs(page, 'Sent, not yet received');
    assert.match(await page.locator('main').innerText(), /To\s+City Hospital/);
    assert.match(await page.locator('#history-title + *').innerText(), /Redirected to City Hospital/);
    await checkAndSave(page, 'app-referral-redirected');
    const moved = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
    assert.equal(moved.body.receivingOrganisationId, 'Organization/city-hospital');
    await patel.page.getByText(/^Redirected elsewhere on/).waitFor();
    assert.deepEqual([...errors, ...patel.errors], [`422 POST /api/referrals/${id}/redirect`], 'nothing failed but the redirect the gate refused');
  });
});
