// Tokens already verified, kept until they expire so a client's repeated requests do not pay for
// signature verification each time. Bounded (lru-cache): the least recently used go first.
import { LRUCache } from 'lru-cache';
import type { Caller } from './caller.js';

export class VerifiedTokens {
  private readonly entries: LRUCache<string, Caller>;

  constructor(maxEntries = 10_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** The caller of a token verified before and not yet expired. */
  get(token: string): Caller | undefined {
    return this.entries.get(token);
  }

  /** Keeps the token's caller until the token's `exp` (seconds since the epoch). */
  remember(token: string, caller: Caller, expSeconds: number): void {
    const ttl = expSeconds * 1000 - Date.now();
    if (ttl > 0) this.entries.set(token, caller, { ttl });
  }
}
