// The task snapshots a process keeps: found only under their own referral, bounded, least recently used first out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReferralRow } from '../../platform/schema.js';
import type { TaskWithNotes } from './task-repo.js';
import { TaskSnapshots, type TaskSnapshot } from './task-snapshots.js';

const snapshot = (referralId: number, taskId: number): TaskSnapshot => ({
  referral: { id: referralId, status: 'ACTIVE' } as ReferralRow,
  task: { id: taskId, referral_id: referralId, status: 'REQUESTED', version: 1, notes: [] } as unknown as TaskWithNotes,
});

describe('task snapshots', () => {
  it('finds a task only under its own referral', () => {
    const snapshots = new TaskSnapshots();
    snapshots.remember(snapshot(1, 10));
    assert.equal(snapshots.get(1, 10)?.task.id, 10);
    assert.equal(snapshots.get(2, 10), undefined);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const snapshots = new TaskSnapshots(2);
    snapshots.remember(snapshot(1, 10));
    snapshots.remember(snapshot(2, 20));
    snapshots.get(1, 10);
    snapshots.remember(snapshot(3, 30));
    assert.equal(snapshots.size, 2);
    assert.equal(snapshots.get(2, 20), undefined);
    assert.ok(snapshots.get(1, 10) && snapshots.get(3, 30));
  });

  it("replaces a task's snapshot, and forgets it on request", () => {
    const snapshots = new TaskSnapshots();
    snapshots.remember(snapshot(1, 10));
    snapshots.remember({ ...snapshot(1, 10), task: { ...snapshot(1, 10).task, version: 2 } });
    assert.equal(snapshots.get(1, 10)?.task.version, 2);
    snapshots.forget(10);
    assert.equal(snapshots.get(1, 10), undefined);
  });
});
