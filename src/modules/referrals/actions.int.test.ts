// A referral's `actions` tell each caller exactly what it may do now. Many referrals walk through
// random legal moves by the referrer and by both hospitals; at every step each action the mover is
// offered succeeds, and every action it is not offered is refused and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testEngines } from '../../../test/support/engines.js';
import { createDraft, grantConsent, pdfUpload, startHarness, type Harness } from '../../../test/support/harness.js';
import { REFERRAL_ACTIONS, type ReferralAction } from './actions.js';

const TYPES = ['Observation', 'Condition', 'DiagnosticReport', 'DocumentReference'];
const ACTORS = ['dr-smith', 'dr-patel', 'dr-other'] as const;
type Actor = (typeof ACTORS)[number];
const PLACES = ['Organization/royal-london-cardiology', 'Organization/city-hospital'];
const REFERRALS = 10;
const MAX_STEPS = 10;

/** A small seeded generator, so that a failing walk can be walked again (the seed is in the test's name). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The request that takes `action` on the referral as it is seen (a task action acts on its current task). */
interface WalkRequest {
  method: string;
  path: string;
  body?: unknown;
  form?: FormData;
}

function requestFor(action: ReferralAction, referral: any): WalkRequest {
  const base = `/api/referrals/${referral.id}`;
  const elsewhere = PLACES.find((place) => place !== referral.performerId)!;
  const task = (body: unknown) => ({ method: 'PATCH', path: `${base}/tasks/${referral.currentTask?.id ?? 2_000_000_000}`, body });
  const requests: Record<ReferralAction, () => WalkRequest> = {
    edit: () => ({ method: 'PATCH', path: base, body: { clinicalNote: 'Edited on the walk' } }),
    send: () => ({ method: 'POST', path: `${base}/send` }),
    hold: () => ({ method: 'POST', path: `${base}/hold`, body: { reason: 'Awaiting bloods' } }),
    resume: () => ({ method: 'POST', path: `${base}/resume` }),
    revoke: () => ({ method: 'POST', path: `${base}/revoke`, body: { reason: 'No longer needed' } }),
    redirect: () => ({ method: 'POST', path: `${base}/redirect`, body: { performerId: elsewhere, receivingOrganisationId: elsewhere, reason: 'Elsewhere' } }),
    forward: () => ({ method: 'POST', path: `${base}/forward`, body: { performerId: elsewhere, receivingOrganisationId: elsewhere, reason: 'Elsewhere' } }),
    receive: () => task({ status: 'RECEIVED' }),
    accept: () => task({ status: 'ACCEPTED' }),
    reject: () => task({ status: 'REJECTED', rejectionCode: 'NO_CAPACITY', rejectionReason: 'Full' }),
    start: () => task({ status: 'INPROGRESS' }),
    complete: () => task({ status: 'COMPLETED', note: 'Seen' }),
    'return-with-advice': () => ({ method: 'POST', path: `${base}/return-with-advice`, body: { advice: 'Try a statin first' } }),
    'add-note': () => task({ note: 'A note on the walk' }),
    attach: () => ({ method: 'POST', path: `${base}/attachments`, form: pdfUpload() }),
  };
  return requests[action]();
}

for (const engine of testEngines()) {
  describe(`every listed action succeeds and every other is refused, on ${engine.name}`, () => {
    let hub: Harness;
    before(async () => {
      hub = await startHarness(engine);
    });
    after(() => hub.close());

    const seed = Number(process.env.WALK_SEED ?? 20261127);
    it(`walks ${REFERRALS} referrals through random legal moves (seed ${seed})`, async () => {
      const next = random(seed);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
      const seen = new Set<ReferralAction>();
      for (let walk = 0; walk < REFERRALS; walk++) {
        const patientId = `Patient/walk-${engine.name}-${walk}`;
        for (const clientId of ['royal-london-cardiology-smart', 'city-hospital-smart']) await grantConsent(hub, TYPES, patientId, clientId);
        const id = await createDraft(hub, { patientId });
        const view = async (actor: Actor) => (await hub.request('GET', `/api/referrals/${id}`, { as: actor })).body;

        for (let step = 0; step < MAX_STEPS; step++) {
          const views = await Promise.all(ACTORS.map(view));
          const movers = ACTORS.filter((_, index) => views[index].actions?.length > 0);
          const actor = movers.length > 0 ? pick(movers) : pick(ACTORS);
          const referral = views[ACTORS.indexOf(actor)];
          const offered: ReferralAction[] = referral.actions ?? [];
          const where = `referral ${id} step ${step}, ${actor} offered [${offered.join(', ')}]`;

          for (const action of REFERRAL_ACTIONS.filter((candidate) => !offered.includes(candidate))) {
            const { method, path, ...payload } = requestFor(action, referral);
            const refused = await hub.request(method, path, { as: actor, ...payload });
            assert.ok(refused.status >= 400 && refused.status < 500, `${where}: ${action} was not offered but answered ${refused.status}`);
            const after = await hub.request('GET', `/api/referrals/${id}`, { as: 'dr-smith' });
            assert.equal(after.body.version, views[0].version, `${where}: the refused ${action} changed the referral`);
          }
          if (offered.length === 0) break;
          const action = pick(offered);
          const { method, path, ...payload } = requestFor(action, referral);
          const done = await hub.request(method, path, { as: actor, ...payload });
          assert.ok(done.status === 200 || done.status === 201, `${where}: ${action} was offered but answered ${done.status} ${JSON.stringify(done.body)}`);
          seen.add(action);
        }
      }
      assert.ok(seen.size >= 8, `the walks took too few kinds of action to mean much: ${[...seen].join(', ')}`);
    });
  });
}
