// Who acts for which organisations, kept between requests so that resolving a clinician costs no
// round trip. Every directory change empties it: in this process at once, after the change commits
// (the directory service says so), and in every other process on its NOTIFY `directory_changed`,
// sent by the change's own transaction. While notifications cannot be trusted to arrive (not yet
// listening, or the listening connection lost) nothing is kept and every lookup reads the database.
import { LRUCache } from 'lru-cache';
import type { Membership } from '../vocabulary/roles.js';

export const DIRECTORY_CHANGED = 'directory_changed';

type Entry = { memberships: Membership[] } | { unknown: true };

export class MembershipCache {
  private readonly entries = new LRUCache<string, Entry>({ max: 10_000 });
  /** Advances with every change, so a lookup that read before a change never stores what it read. */
  private generation = 0;
  private live = false;

  async get(practitioner: string, load: () => Promise<Membership[] | undefined>): Promise<Membership[] | undefined> {
    const kept = this.live ? this.entries.get(practitioner) : undefined;
    if (kept) return 'memberships' in kept ? kept.memberships : undefined;
    const generation = this.generation;
    const loaded = await load();
    if (this.live && generation === this.generation) this.entries.set(practitioner, loaded ? { memberships: loaded } : { unknown: true });
    return loaded;
  }

  /** The directory changed: forget everything. */
  changed(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Whether changes made elsewhere are heard; while they are not, nothing is kept. */
  hearing(live: boolean): void {
    this.changed();
    this.live = live;
  }
}
