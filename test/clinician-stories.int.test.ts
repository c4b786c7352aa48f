// The clinician app's two stories of issue 15, in Debian's Chromium on the demo data, each clinician
// and the patient in a browser of their own:
// 1. Dr Smith drafts a referral to cardiology and sees Condition marked as not consented; the patient
//    allows it in the consent portal; the form shows it consented without reloading; the send passes;
//    Dr Patel sees it arrive in "New: to triage" without reloading, accepts, starts and completes it
//    with a note; Dr Smith sees it completed.
// 2. Cardiology rejects a referral; Dr Smith redirects it to City Hospital from the referral screen:
//    refused until the patient consents for City Hospital's app (the refusal says what to tell the
//    patient, with the portal's link as a QR code), then sent there.
// 3. Dr Smith asks cardiology for advice; Dr Patel answers in the app, asking her to refer; she turns
//    the conversation into a referral, sends it, and attaches a letter, which opens from the screen.
// Every screen passes axe-core and is saved at desktop and phone width.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PATIENT } from '../src/modules/demo/identities.js';
import { seedDemoData, seedDemoPortal } from '../src/modules/demo/seed.js';
import { withoutChromium } from './support/browser.js';
import { appPage, checkAndSave, signInToApp, standingIs, startAppHarness } from './support/clinician-app.js';
import { createDraft, grantConsent, type Harness } from './support/harness.js';

const PASSWORD = 'clinician-story-password';
const PATIENT_PASSWORD = 'patient-story-password';
const CARDIOLOGY = 'Royal London Hospital — Cardiology';

describe('the clinician app’s stories in Chromium', { skip: withoutChromium }, () => {
  let hub: Harness;
  let browser: Browser;
  before(async () => {
    ({ hub, browser } = await startAppHarness(PASSWORD));
    await seedDemoData(hub.database.db, hub.clock);
    await seedDemoPortal(hub.database.db, hub.clock, PATIENT_PASSWORD);
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
    await page.locator('[data-consent-refusal]').waitFor({ state: 'detached' });
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

  it('answers an advice request, turns it into a referral that keeps the conversation, and attaches a letter to it', async () => {
    await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport', 'DocumentReference']);
    const asked = await hub.request('POST', '/api/advice-requests', {
      as: 'dr-smith',
      body: {
        patientId: DEMO_PATIENT,
        sendingOrganisationId: 'Organization/anytown-gp-practice',
        performerId: 'Organization/royal-london-cardiology',
        receivingOrganisationId: 'Organization/royal-london-cardiology',
        subject: 'Palpitations with a normal ECG',
        question: 'Intermittent palpitations for three months, ECG normal. Holter monitoring first, or refer?',
        sharedResourceTypes: ['Observation', 'Condition'],
      },
    });
    assert.equal(asked.status, 201);

    const patel = await appPage(browser, 1280);
    await signInToApp(patel.page, hub.baseUrl, 'dr-patel', PASSWORD);
    await patel.page.locator('[data-worklist="advice-awaiting-answer"]').click();
    await patel.page.locator(`[data-advice-id="${asked.body.id}"] button`).click();
    await patel.page.getByRole('heading', { name: 'Advice: Palpitations with a normal ECG' }).waitFor();
    await patel.page.getByLabel('Your reply').fill('Please refer: we will arrange a 7-day monitor in clinic.');
    await patel.page.getByRole('checkbox', { name: 'Please refer the patient' }).check();
    await checkAndSave(patel.page, 'app-advice-answering');
    await patel.page.getByRole('button', { name: 'Send the reply' }).click();
    await patel.page.getByText('Answered: awaiting the GP').waitFor();

    const { page, errors } = await appPage(browser, 1280);
    await signInToApp(page, hub.baseUrl, 'dr-smith', PASSWORD);
    await page.locator('[data-worklist="advice-answered"]').click();
    await page.locator(`[data-advice-id="${asked.body.id}"] button`).click();
    await page.locator('[data-advice-message]').nth(1).waitFor();
    assert.match(
      await page.locator('[data-advice-message]').nth(1).innerText(),
      /we will arrange a 7-day monitor[\s\S]*Dr Raj Patel \(specialist\)[\s\S]*Please refer/i,
    );
    await checkAndSave(page, 'app-advice-answered');
    await page.getByRole('button', { name: 'Turn into a referral' }).click();
    await page.getByRole('heading', { name: 'Draft referral' }).waitFor();
    await page.getByRole('button', { name: 'Send to Royal London Hospital — Cardiology' }).click();
    await standingIs(page, 'Sent, not yet received');
    assert.match(await page.locator('#conversation-title').innerText(), /Palpitations with a normal ECG/, 'the conversation stays with the referral');

    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'gp-letter.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% a letter\n%%EOF\n') });
    await page.getByLabel('Description (optional)').fill('Referral letter');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('[data-attachment]', { hasText: 'gp-letter.pdf' }).waitFor();
    assert.match(await page.locator('[data-attachment]').innerText(), /Referral letter/);
    await checkAndSave(page, 'app-referral-attachment');
    const [opened] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'gp-letter.pdf' }).click()]);
    assert.match(opened.url(), /^blob:/, 'the letter opens in a new tab');
    assert.deepEqual([...errors, ...patel.errors], []);
  });
});
