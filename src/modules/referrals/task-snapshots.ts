// What this process last read or wrote of each referral task, with its referral: enough to judge
// the next update of the task without reading it first. A hint, never trusted: an update judged on
// a snapshot is written only while the rows are still as the snapshot has them (the guard of every
// update judged without locks), and is read and judged afresh when they are not. Bounded: the
// least recently used go first.
import type { ReferralRow } from '../../platform/schema.js';
import type { TaskWithNotes } from './task-repo.js';

export interface TaskSnapshot {
  referral: ReferralRow;
  task: TaskWithNotes;
}

export class TaskSnapshots {
  private readonly byTask = new Map<number, TaskSnapshot>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The snapshot of the task, if it is one of this referral's. */
  get(referralId: number, taskId: number): TaskSnapshot | undefined {
    const snapshot = this.byTask.get(taskId);
    if (!snapshot || snapshot.referral.id !== referralId) return undefined;
    this.byTask.delete(taskId);
    this.byTask.set(taskId, snapshot);
    return snapshot;
  }

  remember(snapshot: TaskSnapshot): void {
    this.byTask.delete(snapshot.task.id);
    if (this.byTask.size >= this.maxEntries) this.byTask.delete(this.byTask.keys().next().value!);
    this.byTask.set(snapshot.task.id, snapshot);
  }

  forget(taskId: number): void {
    this.byTask.delete(taskId);
  }

  get size(): number {
    return this.byTask.size;
  }
}
