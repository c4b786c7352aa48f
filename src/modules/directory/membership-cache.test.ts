// What the membership cache keeps: only while changes are heard, never what was read before a change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Membership } from '../vocabulary/roles.js';
import { MembershipCache } from './membership-cache.js';

const referrer: Membership[] = [{ organization: 'Organization/anytown-gp-practice', role: 'referrer' }];

function countingLoad(answer: Membership[] | undefined) {
  const load = async () => {
    load.reads += 1;
    return answer;
  };
  load.reads = 0;
  return load;
}

describe('membership cache', () => {
  it('reads the database every time until changes are heard, then once per practitioner', async () => {
    const cache = new MembershipCache();
    const load = countingLoad(referrer);
    await cache.get('Practitioner/dr-smith', load);
    await cache.get('Practitioner/dr-smith', load);
    assert.equal(load.reads, 2, 'nothing kept while not hearing changes');
    cache.hearing(true);
    assert.deepEqual(await cache.get('Practitioner/dr-smith', load), referrer);
    assert.deepEqual(await cache.get('Practitioner/dr-smith', load), referrer);
    assert.equal(load.reads, 3);
  });

  it('keeps "not in the directory" too, and forgets everything on a change or when it stops hearing', async () => {
    const cache = new MembershipCache();
    cache.hearing(true);
    const unknown = countingLoad(undefined);
    assert.equal(await cache.get('Practitioner/stranger', unknown), undefined);
    assert.equal(await cache.get('Practitioner/stranger', unknown), undefined);
    assert.equal(unknown.reads, 1);
    cache.changed();
    await cache.get('Practitioner/stranger', unknown);
    assert.equal(unknown.reads, 2);
    cache.hearing(false);
    await cache.get('Practitioner/stranger', unknown);
    await cache.get('Practitioner/stranger', unknown);
    assert.equal(unknown.reads, 4);
  });

  it('never keeps an answer read before a change that happened while it was being read', async () => {
    const cache = new MembershipCache();
    cache.hearing(true);
    const stale = cache.get('Practitioner/dr-smith', async () => {
      cache.changed(); // the role is removed while the old answer is on its way
      return referrer;
    });
    assert.deepEqual(await stale, referrer);
    const fresh = countingLoad([]);
    assert.deepEqual(await cache.get('Practitioner/dr-smith', fresh), []);
    assert.equal(fresh.reads, 1, 'the answer read before the change was not kept');
  });
});
