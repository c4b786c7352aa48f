// Answers kept between requests for as long as every change to what they were read from is heard:
// a change made in this process empties the keys it touched at once (its use case says so once the
// change commits), a change made by any other process as soon as its NOTIFY arrives (sent by the
// change's own transaction). While notifications cannot be trusted to arrive (not yet listening, or
// the listening connection lost) nothing is kept and every lookup reads the database.
import { LRUCache } from 'lru-cache';

export class NotifiedCache<T> {
  private readonly entries: LRUCache<string, { answer: T }>;
  /** Advances with every change, so a lookup that read before a change never keeps what it read. */
  private generation = 0;
  private live = false;

  constructor(max = 10_000) {
    this.entries = new LRUCache({ max });
  }

  /** The answer kept under `key`, or `load`'s (kept while changes are heard); "none" is an answer too. */
  async get(key: string, load: () => Promise<T>): Promise<T> {
    const kept = this.live ? this.entries.get(key) : undefined;
    if (kept) return kept.answer;
    const generation = this.generation;
    const loaded = await load();
    if (this.live && generation === this.generation) this.entries.set(key, { answer: loaded });
    return loaded;
  }

  /** Something changed: forget `key`, or everything when the change does not say which. */
  changed(key?: string): void {
    this.generation += 1;
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }

  /** Whether changes made elsewhere are heard; while they are not, nothing is kept. */
  hearing(live: boolean): void {
    this.changed();
    this.live = live;
  }
}
