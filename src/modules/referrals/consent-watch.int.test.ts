// Consent withdrawn, over real HTTP on every engine: when the patient revokes a grant an open referral
// shares under, or a grant's period ends, the referral's parties are told which types the receiving
// app can no longer read — once, however often the watch looks again — and told again when consent is
// back; a referral to another app, or one already finished, is told nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';
import { openEvents } from '../../../test/support/sse.js';

const HOUR = 3_600_000;

for (const engine of testEngines()) {
  describe(`consent withdrawn on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    /** A referral of `patientId` sent to the cardiology app, sharing `types` (granted first unless `granted` is false). */
    async function sentReferral(patientId: string, types: string[], period?: { end: string }) {
      const body = { patientId, clientId: 'royal-london-cardiology-smart', resourceTypes: types, ...(period && { period }) };
      const granted = await hub.request('POST', '/api/consent', { as: 'admin', body });
      assert.equal(granted.status, 201);
      const id = await createDraft(hub, { patientId, sharedResourceTypes: types });
      assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
      return { id, grants: granted.body.grants as { id: number; resourceType: string }[] };
    }
    const history = async (id: number) => (await hub.request('GET', `/api/referrals/${id}/history`, { as: 'dr-smith' })).body as any[];

    it('tells both sides, once, which types the receiving app can no longer read, and again when consent is back', async () => {
      const patientId = `Patient/withdrawn-${engine.name}`;
      const cardiology = await openEvents(hub, 'dr-patel');
      const gp = await openEvents(hub, 'dr-smith');
      try {
        const { id, grants } = await sentReferral(patientId, ['Observation', 'Condition', 'DiagnosticReport']);
        const condition = grants.find((grant) => grant.resourceType === 'Condition')!;
        assert.equal((await hub.request('POST', `/api/consent/${condition.id}/revoke`, { as: 'admin' })).status, 200);

        const about = (stream: typeof cardiology, type: string) => stream.events.filter((event) => event.data.referralId === id && event.event === type);
        await cardiology.until(() => about(cardiology, 'referral.consent-withdrawn').length > 0, 'the withdrawal, at once');
        assert.deepEqual(about(cardiology, 'referral.consent-withdrawn')[0]!.data.resourceTypes, ['Condition']);
        await gp.until(() => about(gp, 'referral.consent-withdrawn').length > 0, 'the referrer told too');

        // Looking again (the watch's window, which covers the revocation) tells nothing new.
        hub.clock.advance(60_000);
        await hub.app.consentWatch.lookAtNextWindow();
        const withdrawals = (await history(id)).filter((event) => event.action === 'referral.consent-withdrawn');
        assert.equal(withdrawals.length, 1, 'told once');
        assert.equal(withdrawals[0].actor, 'system:consent-watch');
        assert.deepEqual(withdrawals[0].detail.resourceTypes, ['Condition']);

        await grantConsent(hub, ['Condition'], patientId);
        await cardiology.until(() => about(cardiology, 'referral.consent-restored').length > 0, 'consent back');
        assert.deepEqual(about(cardiology, 'referral.consent-restored')[0]!.data.resourceTypes, ['Condition']);
        assert.equal(about(cardiology, 'referral.consent-withdrawn').length, 1);
      } finally {
        await cardiology.close();
        await gp.close();
      }
    });

    it("tells the parties when a grant's period ends, and tells nothing of a finished referral or another app's", async () => {
      const patientId = `Patient/expiring-${engine.name}`;
      const end = new Date(hub.clock.now().getTime() + HOUR).toISOString();
      const expiring = await sentReferral(patientId, ['Observation'], { end });
      const finished = await sentReferral(`${patientId}-revoked`, ['Observation'], { end });
      assert.equal((await hub.request('POST', `/api/referrals/${finished.id}/revoke`, { as: 'dr-smith', body: { reason: 'Seen elsewhere' } })).status, 200);
      await grantConsent(hub, ['Observation'], patientId, 'city-hospital-smart');
      const city = await createDraft(hub, {
        patientId,
        sharedResourceTypes: ['Observation'],
        performerId: 'Organization/city-hospital',
        receivingOrganisationId: 'Organization/city-hospital',
        receivingFacilityClientId: 'city-hospital-smart',
      });
      assert.equal((await hub.request('POST', `/api/referrals/${city}/send`, { as: 'dr-smith' })).status, 200);

      await hub.app.consentWatch.lookAtNextWindow();
      assert.ok(!(await history(expiring.id)).some((event) => event.action === 'referral.consent-withdrawn'), 'nothing before the end');

      hub.clock.advance(2 * HOUR);
      await hub.app.consentWatch.lookAtNextWindow();
      const told = (await history(expiring.id)).filter((event) => event.action === 'referral.consent-withdrawn');
      assert.deepEqual(
        told.map((event) => event.detail.resourceTypes),
        [['Observation']],
      );
      assert.ok(!(await history(finished.id)).some((event) => event.action === 'referral.consent-withdrawn'), 'a revoked referral is not told');
      assert.ok(!(await history(city)).some((event) => event.action === 'referral.consent-withdrawn'), "the other app's grant has no end");
    });
  });
}
