import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offerInOrderPerSubject } from './in-order-per-subject.js';

const event = (seq: number, referral: number) => ({ seq, subject_type: 'Referral', subject_id: referral });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('offering events in order per referral', () => {
  it('offers different referrals side by side, each referral one event after another', async () => {
    const events = [event(1, 7), event(2, 8), event(3, 7), event(4, 9), event(5, 8)];
    let inFlight = 0;
    let most = 0;
    const offered: number[] = [];
    const result = await offerInOrderPerSubject(events, 0, 2, async (e) => {
      most = Math.max(most, ++inFlight);
      await tick();
      offered.push(e.seq);
      inFlight -= 1;
    });
    assert.deepEqual(result, { takenThrough: 5, failure: undefined });
    assert.equal(most, 2, 'two at a time');
    assert.ok(offered.indexOf(1) < offered.indexOf(3), "referral 7's events in order");
    assert.ok(offered.indexOf(2) < offered.indexOf(5), "referral 8's events in order");
  });

  it('keeps the cursor before the first event refused, offers nothing of that referral after it, and starts nothing once refused', async () => {
    const events = [event(11, 1), event(12, 2), event(13, 1), event(14, 2), event(15, 3)];
    const offered: number[] = [];
    const result = await offerInOrderPerSubject(events, 10, 1, async (e) => {
      offered.push(e.seq);
      if (e.seq === 13) throw new Error('the endpoint answered 500');
    });
    assert.equal(result.takenThrough, 11, 'event 12 and after are offered again next time');
    assert.match((result.failure as Error).message, /500/);
    assert.deepEqual(offered, [11, 13], 'nothing started after the refusal');
  });

  it('keeps the cursor where it was when the first event is refused, and moves it past an empty run not at all', async () => {
    const refused = await offerInOrderPerSubject([event(21, 1)], 20, 4, async () => {
      throw new Error('down');
    });
    assert.equal(refused.takenThrough, 20);
    assert.deepEqual(await offerInOrderPerSubject([], 20, 4, async () => {}), { takenThrough: 20, failure: undefined });
  });
});
