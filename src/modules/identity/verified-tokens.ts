// Tokens already verified, kept until they expire so a client's repeated requests do not pay for
// signature verification each time. Bounded: the oldest entries go first.
import type { Caller } from './caller.js';

interface Entry {
  caller: Caller;
  expiresAtMs: number;
}

export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The caller of a token verified before and not yet expired. */
  get(token: string, nowMs = Date.now()): Caller | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (nowMs < entry.expiresAtMs) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  remember(token: string, caller: Caller, expSeconds: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { caller, expiresAtMs: expSeconds * 1000 });
  }
}
