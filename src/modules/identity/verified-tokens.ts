// Tokens already verified, kept until they expire so a client's repeated requests do not pay for
// signature verification each time. Bounded (lru-cache): the least recently used go first. Expiry
// is judged on the injected clock, as verification is.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../platform/clock.js';
import type { Caller } from './caller.js';

interface Verified {
  caller: Caller;
  expiresAtMs: number;
}

export class VerifiedTokens {
  private readonly entries: LRUCache<string, Verified>;

  constructor(
    private readonly clock: Clock,
    maxEntries = 10_000,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** The caller of a token verified before and not yet expired. */
  get(token: string): Caller | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs > this.clock.now().getTime()) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  /** Keeps the token's caller until the token's `exp` (seconds since the epoch). */
  remember(token: string, caller: Caller, expSeconds: number): void {
    if (expSeconds * 1000 > this.clock.now().getTime()) this.entries.set(token, { caller, expiresAtMs: expSeconds * 1000 });
  }
}
