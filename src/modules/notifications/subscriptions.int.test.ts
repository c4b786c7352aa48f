// FHIR Subscriptions (R4 Subscriptions Backport IG) over real HTTP on every engine, to a subscriber
// listening on loopback: the handshake makes a subscription active; each referral change arrives as a
// valid R4 notification Bundle, numbered in order, by id or in full (in full only while the
// subscriber's organisation may read the referral); heartbeats while nothing happens; $status and
// $events; a subscriber of another organisation gets nothing of the referral; only its owner reads it.
import '../../platform/node-globals.js';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { validateResource } from '@medplum/core';
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { testEngines } from '../../../test/support/engines.js';
import { waitFor } from '../../../test/support/wait.js';
import { grantConsent, createDraft, startHarness, type Harness, type Identity } from '../../../test/support/harness.js';
import { loadFhirDefinitions } from '../fhir/definitions.js';
import { BACKPORT, REFERRAL_CHANGES_TOPIC } from '../vocabulary/subscription-topics.js';

/** A subscriber's endpoint: records each notification Bundle it is sent, and the headers it came with. */
async function startSubscriber() {
  const received: { bundle: Bundle; authorization?: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ bundle: JSON.parse(body), authorization: request.headers.authorization });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const notifications = (subscriber: { received: { bundle: Bundle }[] }) =>
  subscriber.received.map((r) => r.bundle).filter((bundle) => typeOf(bundle) === 'event-notification');
const statusOf = (bundle: Bundle) => bundle.entry![0]!.resource as Parameters;
const parameter = (status: Parameters, name: string) => status.parameter!.find((p) => p.name === name);
const typeOf = (bundle: Bundle) => parameter(statusOf(bundle), 'type')?.valueCode;
const eventsOf = (bundle: Bundle) =>
  statusOf(bundle)
    .parameter!.filter((p) => p.name === 'notification-event')
    .map((event) => Object.fromEntries(event.part!.map((part) => [part.name, part.valueString ?? part.valueReference?.reference ?? part.valueInstant])));

function subscription(endpoint: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'Referral changes for our referral coordinator',
    criteria: REFERRAL_CHANGES_TOPIC,
    channel: {
      type: 'rest-hook',
      endpoint,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: BACKPORT.payloadContent, valueCode: content }] },
      header: ['Authorization: Bearer subscriber-secret'],
      ...extra,
    },
  };
}

for (const engine of testEngines()) {
  describe(`FHIR Subscriptions on ${engine.name}`, () => {
    let hub: Harness;
    let patients = 0;
    before(async () => {
      loadFhirDefinitions();
      hub = await startHarness(engine, { config: { webhooks: { timeoutMs: 5000, pollMs: 100, retryMaxMs: 400 } } });
    });
    after(() => hub.close());

    const subscribe = async (as: Identity, body: unknown) => {
      const created = await hub.request('POST', '/fhir/Subscription', { as, body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.id as string;
    };

    it('handshakes, then sends each change as a numbered R4 notification, by id or in full, and nothing of it to another organisation', async () => {
      const byId = await startSubscriber();
      const inFull = await startSubscriber();
      const city = await startSubscriber();
      try {
        const idOnly = await subscribe('dr-patel', subscription(byId.url, 'id-only'));
        const full = await subscribe('dr-patel', subscription(inFull.url, 'full-resource'));
        await subscribe('dr-other', subscription(city.url, 'id-only'));
        await waitFor(() => [byId, inFull, city].every((subscriber) => subscriber.received.length > 0), 'the handshakes');
        assert.equal(typeOf(byId.received[0]!.bundle), 'handshake');
        assert.equal(byId.received[0]!.authorization, 'Bearer subscriber-secret', 'the channel’s headers are sent');
        assert.deepEqual(validateResource(byId.received[0]!.bundle), []);
        const readBack = () => hub.request('GET', `/fhir/Subscription/${idOnly}`, { as: 'dr-patel' });
        await waitFor(async () => (await readBack()).body.status === 'active', 'the handshake to be kept (active)');
        const read = await readBack();
        assert.deepEqual(validateResource(read.body), []);

        const patientId = `Patient/subscriptions-${engine.name}-${++patients}`;
        await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], patientId);
        await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], patientId, 'city-hospital-smart');
        const id = await createDraft(hub, { patientId });
        const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
        const taskId = sent.body.currentTask.id;
        await hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status: 'RECEIVED' } });
        // Full resources are read as they are when sent: the receipt is delivered before the referral moves on.
        await waitFor(() => notifications(inFull).length >= 2, 'the receipt, in full');
        const redirected = await hub.request('POST', `/api/referrals/${id}/redirect`, {
          as: 'dr-smith',
          body: { performerId: 'Organization/city-hospital', receivingOrganisationId: 'Organization/city-hospital', reason: 'Closer to home' },
        });
        assert.equal(redirected.status, 200);

        await waitFor(() => notifications(byId).length >= 3 && notifications(inFull).length >= 3, 'the three changes');
        const told = notifications(byId).flatMap(eventsOf);
        assert.deepEqual(
          told.map((event) => event['event-number']),
          ['1', '2', '3'],
        );
        assert.ok(told.every((event) => event.focus === `${hub.config.publicBaseUrl}/fhir/ServiceRequest/referral-${id}`));
        assert.equal(told[1]!['additional-context'], `${hub.config.publicBaseUrl}/fhir/Task/referral-task-${taskId}`);
        for (const bundle of [...notifications(byId), ...notifications(inFull)]) {
          assert.equal(bundle.type, 'history');
          assert.deepEqual(validateResource(bundle), [], 'a valid R4 Bundle');
        }
        assert.ok(
          notifications(byId).every((bundle) => bundle.entry!.slice(1).every((entry) => !entry.resource && entry.fullUrl)),
          'id-only: ids alone',
        );
        const [sentInFull, receivedInFull, redirectedInFull] = notifications(inFull);
        assert.equal(sentInFull!.entry![1]!.resource?.resourceType, 'ServiceRequest', 'full-resource: the ServiceRequest itself');
        assert.equal(receivedInFull!.entry![2]!.resource?.resourceType, 'Task');
        assert.ok(
          redirectedInFull!.entry!.slice(1).every((entry) => !entry.resource),
          'once moved away, Cardiology may no longer read the referral: ids alone',
        );
        await waitFor(() => notifications(city).length >= 1, 'City Hospital told of the referral redirected to it');
        assert.equal(notifications(city).length, 1, 'City Hospital is told nothing from before the referral came to it');
        assert.equal(eventsOf(notifications(city)[0]!)[0]!.focus, `${hub.config.publicBaseUrl}/fhir/ServiceRequest/referral-${id}`);

        const status = await hub.request('GET', `/fhir/Subscription/${full}/$status`, { as: 'dr-patel' });
        assert.equal(status.status, 200);
        const statusParameters = status.body.entry[0].resource as Parameters;
        assert.equal(parameter(statusParameters, 'type')?.valueCode, 'query-status');
        assert.equal(parameter(statusParameters, 'events-since-subscription-start')?.valueString, '3');
        assert.deepEqual(validateResource(status.body), []);
        const again = await hub.request('GET', `/fhir/Subscription/${idOnly}/$events?eventsSinceNumber=2&eventsUntilNumber=3`, { as: 'dr-patel' });
        assert.equal(typeOf(again.body), 'query-event');
        assert.deepEqual(
          eventsOf(again.body).map((event) => event['event-number']),
          ['2', '3'],
        );
        assert.equal((await hub.request('GET', `/fhir/Subscription/${idOnly}`, { as: 'dr-smith' })).status, 404, 'only its owner reads it');
        assert.equal((await hub.request('DELETE', `/fhir/Subscription/${idOnly}`, { as: 'dr-patel' })).status, 204);
        assert.equal((await hub.request('GET', `/fhir/Subscription/${idOnly}`, { as: 'dr-patel' })).body.status, 'off');
      } finally {
        await byId.close();
        await inFull.close();
        await city.close();
      }
    });

    it('tells a subscriber of another organisation nothing of a referral it is not party to, and sends heartbeats while idle', async () => {
      const city = await startSubscriber();
      try {
        await subscribe('dr-other', subscription(city.url, 'full-resource', { extension: [{ url: BACKPORT.heartbeatPeriod, valueUnsignedInt: 1 }] }));
        const patientId = `Patient/subscriptions-${engine.name}-${++patients}`;
        await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], patientId);
        const id = await createDraft(hub, { patientId });
        assert.equal((await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' })).status, 200);
        await waitFor(() => city.received.some((r) => typeOf(r.bundle) === 'heartbeat'), 'a heartbeat');
        assert.ok(
          city.received.every((r) => typeOf(r.bundle) !== 'event-notification'),
          'nothing of a referral to Cardiology',
        );
        assert.deepEqual(validateResource(city.received.find((r) => typeOf(r.bundle) === 'heartbeat')!.bundle), []);
      } finally {
        await city.close();
      }
    });

    it('refuses a subscription to another topic, another channel, or from a SMART patient app, naming what is wrong', async () => {
      const wrongTopic = await hub.request('POST', '/fhir/Subscription', {
        as: 'dr-patel',
        body: { ...subscription('http://127.0.0.1:1/x', 'id-only'), criteria: 'Observation?code=1234' },
      });
      assert.equal(wrongTopic.status, 400);
      assert.equal(wrongTopic.body.resourceType, 'OperationOutcome');
      assert.match(wrongTopic.body.issue[0].diagnostics, /Subscription\.criteria/);
      const email = subscription('http://127.0.0.1:1/x', 'id-only');
      const wrongChannel = await hub.request('POST', '/fhir/Subscription', {
        as: 'dr-patel',
        body: { ...email, channel: { ...email.channel, type: 'email' } },
      });
      assert.equal(wrongChannel.status, 400);
      assert.match(wrongChannel.body.issue[0].diagnostics, /Subscription\.channel\.type/);
      const admin = await hub.request('POST', '/fhir/Subscription', { as: 'admin', body: subscription('http://127.0.0.1:1/x', 'id-only') });
      assert.equal(admin.status, 400, 'an administrator names the organisation');
      assert.equal((await hub.request('POST', '/fhir/Subscription', { as: 'patient', body: subscription('http://127.0.0.1:1/x', 'id-only') })).status, 403);
    });
  });
}
