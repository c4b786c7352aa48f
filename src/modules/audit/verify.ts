// Walks the whole audit chain and recomputes every hash, reporting the first event that breaks it.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/schema.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { fromAuditRow } from './repo.js';

export interface ChainReport {
  intact: boolean;
  events: number;
  /** The first event whose hash or link does not match, when the chain is broken. */
  brokenAt?: { seq: number; reason: string };
}

const PAGE = 1000;

export async function verifyAuditChain(db: Kysely<Database>): Promise<ChainReport> {
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const broken = (reason: string): ChainReport => ({ intact: false, events: expectedSeq - 1, brokenAt: { seq: row.seq, reason } });
      if (row.seq !== expectedSeq) return broken(`event ${expectedSeq} is missing`);
      if (row.prev_hash !== previousHash) return broken('its link to the previous event does not match');
      if (chainHash(previousHash, fromAuditRow(row)) !== row.hash) return broken('its content does not match its hash');
      previousHash = row.hash;
      expectedSeq += 1;
    }
    if (rows.length < PAGE) break;
  }
  const events = expectedSeq - 1;
  if (await headMatches(db, events, previousHash)) return { intact: true, events };
  return { intact: false, events, brokenAt: { seq: expectedSeq, reason: 'events after it have been removed' } };
}

/** Events removed from the end leave the head pointing past the last one. */
async function headMatches(db: Kysely<Database>, lastSeq: number, lastHash: string): Promise<boolean> {
  const head = await db.selectFrom('audit_chain').select(['last_seq', 'last_hash']).executeTakeFirstOrThrow();
  return head.last_seq === lastSeq && head.last_hash === lastHash;
}
