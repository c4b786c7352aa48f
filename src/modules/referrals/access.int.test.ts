// The authorization matrix: every referral endpoint against every demo identity, plus no token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, createSentReferral, grantConsent, guideReferral, startHarness, type Harness, type Identity } from '../../../test/support/harness.js';

type Expected = Record<Identity | 'anonymous', number>;
const IDENTITIES: Array<Identity | 'anonymous'> = ['dr-smith', 'dr-patel', 'dr-other', 'patient', 'admin', 'anonymous'];

interface Row {
  name: string;
  /** Makes a fresh target and returns the request to make against it. */
  prepare(hub: Harness): Promise<{ method: string; path: string; body?: unknown }>;
  expected: Expected;
}

const sent = (hub: Harness) => createSentReferral(hub);

const MATRIX: Row[] = [
  {
    name: 'POST /api/referrals',
    prepare: async () => ({ method: 'POST', path: '/api/referrals', body: guideReferral() }),
    expected: { 'dr-smith': 201, 'dr-patel': 403, 'dr-other': 403, patient: 403, admin: 403, anonymous: 401 },
  },
  {
    name: 'GET /api/referrals',
    prepare: async () => ({ method: 'GET', path: '/api/referrals' }),
    expected: { 'dr-smith': 200, 'dr-patel': 200, 'dr-other': 200, patient: 403, admin: 403, anonymous: 401 },
  },
  {
    name: 'GET /api/referrals/inbox (cardiology)',
    prepare: async () => ({ method: 'GET', path: '/api/referrals/inbox?performerId=Organization/royal-london-cardiology' }),
    expected: { 'dr-smith': 403, 'dr-patel': 200, 'dr-other': 403, patient: 403, admin: 403, anonymous: 401 },
  },
  {
    name: 'GET a draft',
    prepare: async (hub) => ({ method: 'GET', path: `/api/referrals/${await createDraft(hub)}` }),
    expected: { 'dr-smith': 200, 'dr-patel': 404, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'GET a sent referral',
    prepare: async (hub) => ({ method: 'GET', path: `/api/referrals/${(await sent(hub)).id}` }),
    expected: { 'dr-smith': 200, 'dr-patel': 200, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'PATCH a draft',
    prepare: async (hub) => ({ method: 'PATCH', path: `/api/referrals/${await createDraft(hub)}`, body: { priority: 'URGENT' } }),
    expected: { 'dr-smith': 200, 'dr-patel': 404, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'POST send',
    prepare: async (hub) => {
      await grantConsent(hub, ['Observation']);
      return { method: 'POST', path: `/api/referrals/${await createDraft(hub, { sharedResourceTypes: ['Observation'] })}/send` };
    },
    expected: { 'dr-smith': 200, 'dr-patel': 404, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'POST hold',
    prepare: async (hub) => ({ method: 'POST', path: `/api/referrals/${(await sent(hub)).id}/hold?reason=x` }),
    expected: { 'dr-smith': 200, 'dr-patel': 200, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'POST resume',
    prepare: async (hub) => {
      const { id } = await sent(hub);
      await hub.request('POST', `/api/referrals/${id}/hold`, { as: 'dr-smith' });
      return { method: 'POST', path: `/api/referrals/${id}/resume` };
    },
    expected: { 'dr-smith': 200, 'dr-patel': 200, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'POST revoke',
    prepare: async (hub) => ({ method: 'POST', path: `/api/referrals/${(await sent(hub)).id}/revoke?reason=x` }),
    expected: { 'dr-smith': 200, 'dr-patel': 403, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'GET tasks',
    prepare: async (hub) => ({ method: 'GET', path: `/api/referrals/${(await sent(hub)).id}/tasks` }),
    expected: { 'dr-smith': 200, 'dr-patel': 200, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'PATCH a task',
    prepare: async (hub) => {
      const { id, taskId } = await sent(hub);
      return { method: 'PATCH', path: `/api/referrals/${id}/tasks/${taskId}`, body: { status: 'RECEIVED' } };
    },
    expected: { 'dr-smith': 403, 'dr-patel': 200, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
  {
    name: 'GET history',
    prepare: async (hub) => ({ method: 'GET', path: `/api/referrals/${(await sent(hub)).id}/history` }),
    expected: { 'dr-smith': 200, 'dr-patel': 200, 'dr-other': 404, patient: 404, admin: 404, anonymous: 401 },
  },
];

for (const engine of testEngines()) {
  describe(`referral authorization matrix on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    for (const row of MATRIX) {
      for (const identity of IDENTITIES) {
        it(`${row.name} as ${identity} → ${row.expected[identity]}`, async () => {
          const request = await row.prepare(hub);
          const response = await hub.request(request.method, request.path, { as: identity === 'anonymous' ? undefined : identity, body: request.body });
          assert.equal(response.status, row.expected[identity], JSON.stringify(response.body));
          if (response.status >= 400)
            assert.ok(
              ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'REQUESTER_NOT_CALLER', 'NOT_A_REFERRER_OF_ORGANISATION'].includes(response.body.code),
              response.body.code,
            );
        });
      }
    }

    it('hides a referral that does not exist the same way as one the caller may not see', async () => {
      const missing = await hub.request('GET', '/api/referrals/999999', { as: 'dr-smith' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'NOT_FOUND');
    });

    it('answers a task the referral does not have with 404 to its receiving side, 403 to the referring side', async () => {
      const { id } = await sent(hub);
      const patch = (identity: 'dr-patel' | 'dr-smith' | 'dr-other') =>
        hub.request('PATCH', `/api/referrals/${id}/tasks/999999`, { as: identity, body: { status: 'RECEIVED' } });
      const receiving = await patch('dr-patel');
      assert.equal(receiving.status, 404);
      assert.equal(receiving.body.code, 'NOT_FOUND');
      assert.equal((await patch('dr-smith')).status, 403);
      assert.equal((await patch('dr-other')).status, 404);
    });

    it('lets a clinician draft only for the organisation they act for', async () => {
      const response = await hub.request('POST', '/api/referrals', {
        as: 'dr-smith',
        body: guideReferral({ sendingOrganisationId: 'Organization/city-hospital' }),
      });
      assert.equal(response.status, 403);
    });

    it("lists only the caller's own side's referrals", async () => {
      const { id } = await sent(hub);
      const draft = await createDraft(hub);
      const ids = async (as: Identity) => (await hub.request('GET', '/api/referrals?limit=100', { as })).body.items.map((r: any) => r.id);
      assert.ok((await ids('dr-smith')).includes(id) && (await ids('dr-smith')).includes(draft));
      assert.ok((await ids('dr-patel')).includes(id) && !(await ids('dr-patel')).includes(draft));
      assert.deepEqual(await ids('dr-other'), []);
      const receivedByAReferrerOnly = await hub.request('GET', '/api/referrals?side=receiving', { as: 'dr-smith' });
      assert.equal(receivedByAReferrerOnly.status, 200, 'a clinician who receives for no organisation has an empty receiving list');
      assert.deepEqual(receivedByAReferrerOnly.body.items, []);
    });
  });
}
