// The event stream over real HTTP on every engine: each party is told of a referral's changes as they
// happen, in order; another organisation is told nothing of it; a refused change tells no one; a
// client resuming with Last-Event-ID gets exactly what it missed; an idle stream sends heartbeats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, createSentReferral, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';
import { openEvents } from '../../../test/support/sse.js';

for (const engine of testEngines()) {
  describe(`event stream on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine, { config: { eventsHeartbeatMs: 300 } });
    });
    after(() => hub.close());

    const task = (id: number, taskId: number, status: string, as: 'dr-patel' | 'dr-other' = 'dr-patel') =>
      hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as, body: { status } });

    it('tells the receiving organisation of each change as it happens, in order, and another organisation nothing of it', async () => {
      const cardiology = await openEvents(hub, 'dr-patel');
      const city = await openEvents(hub, 'dr-other');
      try {
        assert.equal(cardiology.status, 200);
        assert.match(cardiology.contentType!, /^text\/event-stream/);
        const { id, taskId } = await createSentReferral(hub);
        for (const status of ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED']) assert.equal((await task(id, taskId, status)).status, 200);
        const mine = () => cardiology.events.filter((event) => event.data.referralId === id);
        await cardiology.until(() => mine().length >= 5, 'the five events of the referral');
        assert.deepEqual(
          mine().map((event) => event.event),
          ['referral.sent', 'referral.received', 'referral.accepted', 'referral.started', 'referral.completed'],
        );
        const received = mine()[1]!.data;
        assert.deepEqual(received, {
          type: 'referral.received',
          subject: `Referral/${id}`,
          occurredAt: received.occurredAt,
          referralId: id,
          status: 'ACTIVE',
          taskId,
        });
        const ids = cardiology.events.map((event) => Number(event.id));
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          'ids ascend',
        );

        const patientId = `Patient/events-${engine.name}`;
        await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], patientId, 'city-hospital-smart');
        const cityParties = {
          performerId: 'Organization/city-hospital',
          receivingOrganisationId: 'Organization/city-hospital',
          receivingFacilityClientId: 'city-hospital-smart',
        };
        const theirs = await createDraft(hub, { ...cityParties, patientId });
        assert.equal((await hub.request('POST', `/api/referrals/${theirs}/send`, { as: 'dr-smith' })).status, 200);
        await city.until(() => city.events.some((event) => event.data.referralId === theirs), "the city hospital's own referral");
        assert.ok(
          city.events.every((event) => event.data.referralId !== id),
          'City Hospital is told nothing of a referral it is not party to',
        );
      } finally {
        await cardiology.close();
        await city.close();
      }
    });

    it('tells no one of a change that was refused', async () => {
      const gp = await openEvents(hub, 'dr-smith');
      try {
        const patientId = `Patient/events-refused-${engine.name}`;
        await grantConsent(hub, ['Observation'], patientId);
        const id = await createDraft(hub, { patientId });
        assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 422);
        await hub.request('POST', `/api/referrals/${id}/revoke`, { as: 'dr-smith' });
        await gp.until(() => gp.events.some((event) => event.data.referralId === id && event.event === 'referral.revoked'), 'the revocation');
        assert.deepEqual(
          gp.events.filter((event) => event.data.referralId === id).map((event) => event.event),
          ['referral.created', 'referral.revoked'],
        );
      } finally {
        await gp.close();
      }
    });

    it('resumes from Last-Event-ID with exactly the events missed, and sends heartbeats while idle', async () => {
      const first = await openEvents(hub, 'dr-patel');
      const { id, taskId } = await createSentReferral(hub);
      await first.until(() => first.events.some((event) => event.data.referralId === id), 'the send');
      const seen = first.events.find((event) => event.data.referralId === id)!;
      await first.close();

      for (const status of ['RECEIVED', 'ACCEPTED']) await task(id, taskId, status);
      await hub.request('POST', `/api/referrals/${id}/hold`, { as: 'dr-smith', body: { reason: 'Patient abroad' } });
      const resumed = await openEvents(hub, 'dr-patel', seen.id);
      try {
        await resumed.until(() => resumed.events.filter((event) => event.data.referralId === id).length >= 3, 'the three missed events');
        assert.deepEqual(
          resumed.events.filter((event) => event.data.referralId === id).map((event) => event.event),
          ['referral.received', 'referral.accepted', 'referral.held'],
        );
        assert.ok(
          resumed.events.every((event) => Number(event.id) > Number(seen.id)),
          'nothing from before Last-Event-ID again',
        );
        await resumed.until(() => resumed.comments() >= 2, 'heartbeats');
      } finally {
        await resumed.close();
      }
      const bad = await hub.request('GET', '/api/events', { as: 'dr-patel', headers: { 'last-event-id': 'yesterday' } });
      assert.equal(bad.status, 400);
    });
  });
}
