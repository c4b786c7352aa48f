// Webhooks over real HTTP on every engine, to receivers listening on loopback: deliveries signed as
// Standard Webhooks specifies (verified with the library's own verifier), in order per referral, only
// to the organisations party to it; a receiver that is down for 30 s while 200 referrals move loses
// nothing and gets each referral's events in order once it is back; a hanging
// one delays no one else; an administrator sees failures and replays from a point in time, and a
// replay made while a delivery is in flight holds.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { testEngines } from '../../../test/support/engines.js';
import { waitFor } from '../../../test/support/wait.js';
import { createDraft, grantConsent, startHarness, type Harness } from '../../../test/support/harness.js';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP receiver on loopback that records what it is sent: up (204) or hanging (not answering until
 * `answerHanging`); or down altogether (not listening: connections are refused) until `listenAgain`.
 */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const hanging: ServerResponse[] = [];
  /** What the hanging requests carried, in the order of `hanging`. */
  const held: Delivery[] = [];
  const receiver = { mode: 'up' as 'up' | 'hang', deliveries, hanging, url: '' };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (receiver.mode === 'hang') {
        held.push({ headers: request.headers, body });
        return void hanging.push(response);
      }
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  /** Answers what hangs (204, recorded as delivered) and takes what comes next at once. */
  const answerHanging = () => {
    receiver.mode = 'up';
    deliveries.push(...held.splice(0));
    for (const response of hanging.splice(0)) response.writeHead(204).end();
  };
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () => {
    for (const response of hanging.splice(0)) response.destroy();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen(0);
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  return Object.assign(receiver, { close, goDown: close, listenAgain: () => listen(port), answerHanging });
}

const events = (receiver: { deliveries: Delivery[] }) => receiver.deliveries.map((delivery) => JSON.parse(delivery.body));

/** Runs `count` tasks, at most `width` at a time; their results in the order they were started. */
async function inParallel<T>(count: number, width: number, task: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task();
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

for (const engine of testEngines()) {
  describe(`webhooks on ${engine.name}`, () => {
    let hub: Harness;
    let patients = 0;
    before(async () => {
      hub = await startHarness(engine, { config: { webhooks: { timeoutMs: 20_000, pollMs: 100, retryMaxMs: 400 } } });
    });
    after(() => hub.close());

    const register = async (organisation: string, url: string, eventTypes?: string[]) => {
      const registered = await hub.request('POST', '/api/admin/webhooks', { as: 'admin', body: { organisation, url, ...(eventTypes && { eventTypes }) } });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      return registered.body as { id: number; secret: string };
    };
    const retire = (id: number) => hub.request('DELETE', `/api/admin/webhooks/${id}`, { as: 'admin' });

    /** A referral of a patient of its own sent to cardiology; returns its id and task id. */
    async function sentReferral() {
      const patientId = `Patient/webhooks-${engine.name}-${++patients}`;
      await grantConsent(hub, ['Observation', 'Condition', 'DiagnosticReport'], patientId);
      const id = await createDraft(hub, { patientId });
      const sent = await hub.request('POST', `/api/referrals/${id}/send`, { as: 'dr-smith' });
      return { id, taskId: sent.body.currentTask.id as number };
    }
    const task = (id: number, taskId: number, status: string) =>
      hub.request('PATCH', `/api/referrals/${id}/tasks/${taskId}`, { as: 'dr-patel', body: { status } });

    it('delivers each change signed, in order, to the organisations party to it and no other', async () => {
      const cardiology = await startReceiver();
      const city = await startReceiver();
      const cardiologyHook = await register('Organization/royal-london-cardiology', cardiology.url);
      const cityHook = await register('Organization/city-hospital', city.url);
      try {
        assert.match(cardiologyHook.secret, /^whsec_/);
        const { id, taskId } = await sentReferral();
        for (const status of ['RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED']) await task(id, taskId, status);
        const mine = () => events(cardiology).filter((event) => event.data.referralId === id);
        await waitFor(() => mine().length >= 5, 'the five events');
        assert.deepEqual(
          mine().map((event) => event.type),
          ['referral.sent', 'referral.received', 'referral.accepted', 'referral.started', 'referral.completed'],
        );
        const verifier = new Webhook(cardiologyHook.secret);
        for (const delivery of cardiology.deliveries) {
          const verified = verifier.verify(delivery.body, delivery.headers as Record<string, string>) as { data: { subject: string } };
          assert.match(verified.data.subject, /^Referral\//);
        }
        assert.throws(() => new Webhook(cityHook.secret).verify(cardiology.deliveries[0]!.body, cardiology.deliveries[0]!.headers as Record<string, string>));
        assert.ok(
          events(city).every((event) => event.data.referralId !== id),
          'City Hospital is sent nothing of it',
        );
        const listed = (await hub.request('GET', '/api/admin/webhooks', { as: 'admin' })).body;
        assert.ok(
          listed.every((hook: any) => !('secret' in hook)),
          'the secret is shown once',
        );
      } finally {
        await retire(cardiologyHook.id);
        await retire(cityHook.id);
        await cardiology.close();
        await city.close();
      }
    });

    it('loses nothing while the receiver is down for 30 s as 200 referrals move, and delivers each one’s events in order once it is back', async () => {
      const receiver = await startReceiver();
      const hook = await register('Organization/royal-london-cardiology', receiver.url);
      try {
        await receiver.goDown();
        const downSince = Date.now();
        const moved = await inParallel(200, 8, async () => {
          const { id, taskId } = await sentReferral();
          for (const status of ['RECEIVED', 'ACCEPTED']) assert.equal((await task(id, taskId, status)).status, 200);
          return id;
        });
        let failing: any;
        for (let tries = 0; tries < 200 && !(failing?.lastError && failing.pending >= 600); tries++) {
          failing = (await hub.request('GET', '/api/admin/webhooks', { as: 'admin' })).body.find((listed: any) => listed.id === hook.id);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.match(failing.lastError, /ECONNREFUSED/);
        assert.ok(failing.failingSince);
        assert.ok(failing.pending >= 600, `pending ${failing.pending}`);

        await new Promise((resolve) => setTimeout(resolve, Math.max(0, downSince + 30_000 - Date.now())));
        await receiver.listenAgain();
        const delivered = () => {
          const once = new Map<string, any>();
          for (const delivery of receiver.deliveries) once.set(String(delivery.headers['webhook-id']), JSON.parse(delivery.body));
          return [...once.values()];
        };
        const of = (id: number) =>
          delivered()
            .filter((event) => event.data.referralId === id)
            .map((event) => event.type);
        await waitFor(() => delivered().filter((event) => event.type === 'referral.accepted').length >= moved.length, 'every event once back', 60_000);
        for (const id of moved) assert.deepEqual(of(id), ['referral.sent', 'referral.received', 'referral.accepted'], `referral ${id}`);
        for (const id of moved) {
          const seqs = receiver.deliveries
            .filter((delivery) => JSON.parse(delivery.body).data.referralId === id)
            .map((delivery) => Number(String(delivery.headers['webhook-id']).replace('evt_', '')));
          assert.deepEqual(
            seqs,
            [...seqs].sort((x, y) => x - y),
            `referral ${id}'s deliveries, repeats included, never go back`,
          );
        }
        const listed = async () => (await hub.request('GET', '/api/admin/webhooks', { as: 'admin' })).body.find((one: any) => one.id === hook.id);
        await waitFor(async () => (await listed()).pending === 0, 'the last turn to be kept');
        assert.equal((await listed()).failingSince, null);
      } finally {
        await retire(hook.id);
        await receiver.close();
      }
    });

    it("delays no one for a receiver that hangs, and replays an endpoint's deliveries from a point in time", async () => {
      const hanging = await startReceiver();
      const prompt = await startReceiver();
      hanging.mode = 'hang';
      const slowHook = await register('Organization/royal-london-cardiology', hanging.url);
      const hook = await register('Organization/royal-london-cardiology', prompt.url, ['referral.sent']);
      hub.clock.advance(60_000);
      try {
        const from = hub.clock.now();
        const { id } = await sentReferral();
        await waitFor(() => hanging.hanging.length > 0, 'the hanging receiver to be called');
        await waitFor(() => events(prompt).some((event) => event.data.referralId === id), 'the other endpoint’s delivery');
        assert.equal(hanging.deliveries.length, 0, 'the hanging receiver has still not answered');
        assert.deepEqual(
          events(prompt).map((event) => event.type),
          ['referral.sent'],
          'only the types asked for',
        );

        const replayed = await hub.request('POST', `/api/admin/webhooks/${hook.id}/replay`, { as: 'admin', body: { from: from.toISOString() } });
        assert.equal(replayed.status, 200);
        await waitFor(() => prompt.deliveries.length >= 2, 'the replay');
        assert.equal(prompt.deliveries[1]!.headers['webhook-id'], prompt.deliveries[0]!.headers['webhook-id'], 'the same event, by the same id');
      } finally {
        hub.clock.advance(-60_000);
        await retire(slowHook.id);
        await retire(hook.id);
        await hanging.close();
        await prompt.close();
      }
    });

    it('keeps a replay made while a delivery is in flight: the turn that ends after it does not move the cursor past it', async () => {
      const receiver = await startReceiver();
      receiver.mode = 'hang';
      const hook = await register('Organization/royal-london-cardiology', receiver.url, ['referral.sent']);
      hub.clock.advance(60_000);
      try {
        const from = hub.clock.now();
        const { id } = await sentReferral();
        await waitFor(() => receiver.hanging.length > 0, 'the delivery to be in flight');
        const replayed = await hub.request('POST', `/api/admin/webhooks/${hook.id}/replay`, { as: 'admin', body: { from: from.toISOString() } });
        assert.equal(replayed.status, 200);
        receiver.answerHanging();
        const ofReferral = () => events(receiver).filter((event) => event.data.referralId === id);
        await waitFor(() => ofReferral().length >= 2, 'the replayed delivery');
        assert.deepEqual(
          ofReferral().map((event) => event.type),
          ['referral.sent', 'referral.sent'],
          'the event, delivered again from the replayed point',
        );
      } finally {
        hub.clock.advance(-60_000);
        await retire(hook.id);
        await receiver.close();
      }
    });

    it('refuses a registration that is not an administrator’s, or names no organisation of the directory', async () => {
      assert.equal(
        (
          await hub.request('POST', '/api/admin/webhooks', {
            as: 'dr-smith',
            body: { organisation: 'Organization/city-hospital', url: 'http://127.0.0.1:1/x' },
          })
        ).status,
        403,
      );
      const unknown = await hub.request('POST', '/api/admin/webhooks', {
        as: 'admin',
        body: { organisation: 'Organization/nowhere', url: 'http://127.0.0.1:1/x' },
      });
      assert.equal(unknown.status, 422);
      const notUrl = await hub.request('POST', '/api/admin/webhooks', {
        as: 'admin',
        body: { organisation: 'Organization/city-hospital', url: 'ftp://example.org/x' },
      });
      assert.equal(notUrl.status, 400);
      assert.equal(notUrl.body.field, 'body.url');
    });
  });
}
