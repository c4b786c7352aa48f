// A coalesced task never runs twice at once, misses no ask, and does not pile asks up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesced } from './coalesced.js';

describe('coalesced', () => {
  it('shares a run between asks, and runs once more for asks made while it ran', async () => {
    let runs = 0;
    let concurrent = 0;
    let release: () => void = () => undefined;
    const ask = coalesced(async () => {
      runs++;
      concurrent++;
      assert.equal(concurrent, 1, 'never two runs at once');
      await new Promise<void>((resolve) => (release = resolve));
      concurrent--;
    });
    const first = ask();
    await new Promise((resolve) => setImmediate(resolve));
    const during = [ask(), ask(), ask()];
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([first, ...during]);
    assert.equal(runs, 2, 'the first run, and one more for the three asks during it');
  });

  it('runs again at once while the task says it left work', async () => {
    let left = 3;
    const ask = coalesced(async () => --left > 0);
    await ask();
    assert.equal(left, 0);
  });
});
