// Bad input gets a clear 4xx naming the field or rule, never a 500 and never the database's own
// words: ids beyond the integer range, forged cursors, NUL characters, malformed portal forms, a
// SMART consent step before sign-in, and /fhir paging parameters. Both engines, over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeCursor } from '../src/platform/cursor.js';
import { seedDemoPortal } from '../src/modules/demo/seed.js';
import { testEngines } from './support/engines.js';
import { csrfIn, formClient } from './support/form-client.js';
import { createSentReferral, demoAppAuthorizationUrl, guideReferral, type Harness, startReachableHarness } from './support/harness.js';

const DATABASE_WORDS = /invalid input syntax|for type|must not be negative|byte sequence|"UTF8"|relation "|column "|violates/;

for (const engine of testEngines()) {
  describe(`bad input on ${engine.name}`, () => {
    let hub: Harness;
    let sent: { id: number; taskId: number };
    before(async () => {
      hub = await startReachableHarness(engine);
      sent = await createSentReferral(hub);
    });
    after(() => hub.close());

    function assertNamed(response: { status: number; body: any }, status: number, field?: string) {
      assert.equal(response.status, status, JSON.stringify(response.body));
      if (field) assert.equal(response.body.field, field);
      assert.doesNotMatch(JSON.stringify(response.body), DATABASE_WORDS);
    }

    it('refuses ids beyond the integer range in paths with 400', async () => {
      for (const [method, path] of [
        ['GET', '/api/referrals/999999999999'],
        ['GET', '/api/referrals/9223372036854776000'],
        ['POST', '/api/referrals/123456789012345/revoke'],
        ['PATCH', `/api/referrals/${sent.id}/tasks/999999999999`],
        ['POST', '/api/consent/999999999999/revoke'],
      ] as const) {
        const as = path.startsWith('/api/consent') ? 'patient' : 'dr-smith';
        assertNamed(await hub.request(method, path, { as, body: method === 'PATCH' ? { status: 'RECEIVED' } : undefined }), 400);
      }
    });

    it('refuses cursors carrying huge numbers or far-off dates', async () => {
      assertNamed(await hub.request('GET', `/api/referrals?cursor=${encodeCursor({ id: 99999999999 })}`, { as: 'dr-smith' }), 400, 'query.cursor');
      const farOff = encodeCursor({ rank: 3, due: '+275760-09-13T00:00:00.000Z', id: 1 });
      assertNamed(
        await hub.request('GET', `/api/referrals/inbox?performerId=Organization/royal-london-cardiology&cursor=${farOff}`, { as: 'dr-patel' }),
        400,
        'query.cursor',
      );
    });

    it('refuses a NUL character in any text field, naming the field, and writes nothing', async () => {
      assertNamed(
        await hub.request('POST', '/api/referrals', { as: 'dr-smith', body: guideReferral({ clinicalNote: 'chest pain\u0000' }) }),
        400,
        'body.clinicalNote',
      );
      assertNamed(await hub.request('POST', `/api/referrals/${sent.id}/hold`, { as: 'dr-smith', body: { reason: 'ICU\u0000' } }), 400, 'body.reason');
      assertNamed(await hub.request('POST', `/api/referrals/${sent.id}/hold?reason=ICU%00`, { as: 'dr-smith' }), 400, 'query.reason');
      assertNamed(
        await hub.request('PATCH', `/api/referrals/${sent.id}/tasks/${sent.taskId}`, { as: 'dr-patel', body: { note: 'seen\u0000' } }),
        400,
        'body.note',
      );
      assertNamed(
        await hub.request('PATCH', `/api/referrals/${sent.id}/tasks/${sent.taskId}`, {
          as: 'dr-patel',
          body: { status: 'REJECTED', rejectionReason: 'full\u0000' },
        }),
        400,
        'body.rejectionReason',
      );
      const referral = await hub.request('GET', `/api/referrals/${sent.id}`, { as: 'dr-smith' });
      assert.equal(referral.body.status, 'ACTIVE');
      assert.equal((await hub.request('GET', `/api/referrals/${sent.id}/tasks`, { as: 'dr-smith' })).body[0].status, 'REQUESTED');
    });

    it('refuses a lone surrogate (a broken \\ud800 escape), which has no UTF-8 form to store or hash, and writes nothing', async () => {
      assertNamed(await hub.request('POST', `/api/referrals/${sent.id}/hold`, { as: 'dr-smith', body: { reason: 'ICU \ud800 full' } }), 400, 'body.reason');
      assertNamed(
        await hub.request('PATCH', `/api/referrals/${sent.id}/tasks/${sent.taskId}`, { as: 'dr-patel', body: { note: 'seen \udc00' } }),
        400,
        'body.note',
      );
      assert.equal((await hub.request('GET', `/api/referrals/${sent.id}`, { as: 'dr-smith' })).body.status, 'ACTIVE');
      const accepted = await hub.request('PATCH', `/api/referrals/${sent.id}/tasks/${sent.taskId}`, { as: 'dr-patel', body: { note: 'emoji kept 🫀' } });
      assert.equal(accepted.status, 200);
    });

    it('answers /fhir paging mistakes with a 400 OperationOutcome in our words', async () => {
      for (const query of ['_count=abc', '_offset=-1', 'status=%00', '_count=-5']) {
        const response = await hub.request('GET', `/fhir/Observation?${query}`, { as: 'admin' });
        assertNamed(response, 400);
        assert.equal(response.body.resourceType, 'OperationOutcome');
      }
      assertNamed(await hub.request('GET', '/fhir/ServiceRequest/%00/_history/1', { as: 'admin' }), 400);
    });

    it('refuses a malformed portal form with the portal page, not a server error', async () => {
      await seedDemoPortal(hub.database.db, hub.clock, 'bad-input-password');
      const browser = formClient(hub.baseUrl);
      const login = await browser.get('/consent/portal');
      await browser.post('/consent/portal/login', { csrf: csrfIn(login.html), username: 'patient', password: 'bad-input-password' });
      const portal = await browser.get('/consent/portal');
      const revoke = await browser.post('/consent/portal/revoke', { csrf: csrfIn(portal.html), grant_id: 'abc' });
      assert.equal(revoke.status, 400);
      assert.match(revoke.html, /nothing was changed/);
      for (const clientId of ['', '<b>x</b>']) {
        const grant = await browser.post('/consent/portal/grant', { csrf: csrfIn(portal.html), client_id: clientId, resource_type: 'Observation' });
        assert.equal(grant.status, 400);
      }
      // Refused before any portal handler runs (a NUL character): still a page for the patient, not JSON.
      const nul = await browser.post('/consent/portal/grant', { csrf: csrfIn(portal.html), client_id: 'x', resource_type: 'Obs\u0000ervation' });
      assert.equal(nul.status, 400);
      assert.match(nul.response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(nul.html, /That did not work/);
      assert.match(nul.html, /body\.resource_type/);
    });

    it('refuses a SMART consent answer sent before sign-in with 400', async () => {
      const browser = formClient(hub.baseUrl);
      const started = await browser.follow(demoAppAuthorizationUrl(hub));
      const uid = /\/oauth\/interaction\/([^/"]+)\/login/.exec(started.html)?.[1];
      assert.ok(uid, started.html.slice(0, 300));
      const consent = await browser.post(`/oauth/interaction/${uid}/consent`, { 'type:Observation': 'allow' });
      assert.equal(consent.status, 400);
      assert.match(consent.html, /Sign in before choosing/);
    });

    it('answers a SMART sign-in that no longer exists with a page for the patient, not JSON', async () => {
      const browser = formClient(hub.baseUrl);
      const gone = await browser.get('/oauth/interaction/no-such-interaction');
      assert.ok(gone.status >= 400 && gone.status < 500, String(gone.status));
      assert.match(gone.response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(gone.html, /the app that sent you here/);
    });
  });
}
