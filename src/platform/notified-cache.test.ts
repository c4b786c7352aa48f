// What a notified cache keeps: only while changes are heard, never what was read before a change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotifiedCache } from './notified-cache.js';

type Memberships = { organization: string; role: string }[];

const referrer: Memberships = [{ organization: 'Organization/anytown-gp-practice', role: 'referrer' }];

function countingLoad(answer: Memberships | undefined) {
  const load = async () => {
    load.reads += 1;
    return answer;
  };
  load.reads = 0;
  return load;
}

describe('notified cache', () => {
  it('reads the database every time until changes are heard, then once per key', async () => {
    const cache = new NotifiedCache<Memberships | undefined>();
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
    const cache = new NotifiedCache<Memberships | undefined>();
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
    const cache = new NotifiedCache<Memberships | undefined>();
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

  it('forgets only the key a change names', async () => {
    const cache = new NotifiedCache<Memberships | undefined>();
    cache.hearing(true);
    const smith = countingLoad(referrer);
    const patel = countingLoad([]);
    await cache.get('Practitioner/dr-smith', smith);
    await cache.get('Practitioner/dr-patel', patel);
    cache.changed('Practitioner/dr-smith');
    await cache.get('Practitioner/dr-smith', smith);
    await cache.get('Practitioner/dr-patel', patel);
    assert.deepEqual([smith.reads, patel.reads], [2, 1]);
  });
});
