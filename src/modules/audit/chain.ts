// The audit trail's hash chain: each event's hash covers its content and the previous hash, so any
// edit, removal or reordering of a stored event breaks every hash after it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';

export interface ChainedContent {
  seq: number;
  recordedAt: string;
  actor: string;
  action: string;
  outcome: string;
  entityType: string;
  entityId: string;
  referralId: number | null;
  detail: unknown;
}

export const GENESIS_HASH = '0'.repeat(64);

export function chainHash(previousHash: string, content: ChainedContent): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(content)).digest('hex');
}

/**
 * The canonical JSON of an event up to its position: `seq` sorts after every other key, so the
 * hashed text is this prefix, the position, and `}`. The database completes and hashes it while
 * it holds the chain's head, in the same statement that appends the event.
 */
export function contentBeforeSeq(content: Omit<ChainedContent, 'seq'>): string {
  return `${canonicalJson(content).slice(0, -1)},"seq":`;
}
