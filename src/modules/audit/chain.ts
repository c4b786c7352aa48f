// The audit trail's hash chain: each event's hash covers its content, its position and the previous
// hash, so any edit, removal or reordering of a stored event breaks every hash after it. Hashes are
// computed here only, never in SQL; each event records the scheme its hash used, so chains written
// under an older scheme still verify.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

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

/** The scheme every new event is hashed with: RFC 8785 canonical JSON through a library. */
export const CURRENT_HASH_SCHEME = 2;

const ENCODINGS: Record<number, (content: ChainedContent) => string> = {
  1: sortedKeyJson,
  2: (content) => canonicalize(content)!,
};

export function chainHash(previousHash: string, content: ChainedContent, scheme = CURRENT_HASH_SCHEME): string {
  const encode = ENCODINGS[scheme];
  if (!encode) throw new Error(`Unknown audit hash scheme ${scheme}`);
  return linkedHash(previousHash, encode(content));
}

/** What the hash of a batch of the access log covers: its position in its chain, when it was written and its reads. */
export interface ChainedBatch {
  seq: number;
  writtenAt: string;
  reads: unknown[];
}

/** A batch's hash, under the current scheme (RFC 8785), linked to the hash of the batch before it. */
export function batchHash(previousHash: string, batch: ChainedBatch): string {
  return linkedHash(previousHash, canonicalize(batch)!);
}

function linkedHash(previousHash: string, encoded: string): string {
  return createHash('sha256').update(previousHash).update('\n').update(encoded).digest('hex');
}

/** Scheme 1, kept to verify the events written before scheme 2: JSON with object keys sorted, undefined members left out. */
function sortedKeyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedKeyJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${sortedKeyJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
