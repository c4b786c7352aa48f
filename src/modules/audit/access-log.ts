// The access log: every decision on a SMART app's read of a patient's records, kept as the batches
// one process audited together (group-commit.ts). A batch is one row of `access_log` holding its
// reads; the patient's access chain links batches, each hash covering the batch's position, when it
// was written, its reads and the hash of the batch before it. Reads audited before the access log
// existed are audit events on the patient's `fhir-access:` chain, and are shown with the others.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../database.js';
import { batchHash, CURRENT_HASH_SCHEME } from './chain.js';
import { movingHead, type ChainHead } from './repo.js';
import type { AccessLogRow, AccessRead } from './tables.js';

/** The chain of a patient's access log: `access-log:Patient/<id>`. */
export const accessLogChain = (patient: string) => `access-log:${patient}`;

/** The chain the same reads joined as audit events before the access log. */
const auditedReadsChain = (patient: string) => `fhir-access:${patient}`;

/** A batch about to be written onto its chain's head: the statement that writes it, and the head it leaves. */
export function appendingBatch(head: ChainHead, writtenAt: Date, reads: AccessRead[]): { statement: RawBuilder<{ id: number }>; after: ChainHead } {
  const seq = head.seq + 1;
  const at = writtenAt.toISOString();
  const hash = batchHash(head.hash, { seq, writtenAt: at, reads });
  const after = { chain: head.chain, seq, hash };
  const statement = sql<{ id: number }>`WITH ${movingHead(head, after)}
    INSERT INTO access_log (chain, chain_seq, written_at, reads, prev_hash, hash, hash_scheme)
    SELECT ${head.chain}, ${seq}::bigint, ${at}::timestamptz, ${JSON.stringify(reads)}::jsonb, ${head.hash}, ${hash}, ${CURRENT_HASH_SCHEME}::smallint
      FROM audit_head
    RETURNING id`;
  return { statement, after };
}

/** One read of a patient's records, as the patient is shown it. */
export interface RecordedRead {
  at: string;
  clientId: string;
  resourceType: string;
  allowed: boolean;
}

/** The latest reads of a patient's records by apps, newest first. */
export async function recentReadsOf(db: Kysely<Database>, patient: string, limit: number): Promise<RecordedRead[]> {
  const { rows } = await sql<{ read: AccessRead }>`
    SELECT entry.read FROM access_log AS batch, jsonb_array_elements(batch.reads) WITH ORDINALITY AS entry(read, n)
     WHERE batch.chain = ${accessLogChain(patient)}
     ORDER BY batch.chain_seq DESC, entry.n DESC
     LIMIT ${limit}`.execute(db);
  const logged = rows.map(({ read }) => ({ at: read.at, clientId: read.clientId, resourceType: read.resourceType, allowed: read.decision === 'permit' }));
  return logged.length < limit ? [...logged, ...(await auditedReadsOf(db, patient, limit - logged.length))] : logged;
}

async function auditedReadsOf(db: Kysely<Database>, patient: string, limit: number): Promise<RecordedRead[]> {
  const rows = await db
    .selectFrom('audit_event')
    .select(['recorded_at', 'outcome', 'detail'])
    .where('chain', '=', auditedReadsChain(patient))
    .orderBy('chain_seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    at: row.recorded_at.toISOString(),
    clientId: String(row.detail.clientId ?? ''),
    resourceType: String(row.detail.resourceType ?? ''),
    allowed: row.outcome === 'success',
  }));
}

/** The FHIR id of the `n`th read (from 1) of batch `batchId`; migrations/031 spells the same. */
const readId = (batchId: number, n: number) => `access-${batchId}-${n}`;

function readOfId(id: string): { batchId: number; n: number } | undefined {
  const match = /^access-([1-9]\d{0,15})-([1-9]\d{0,5})$/.exec(id);
  return match ? { batchId: Number(match[1]), n: Number(match[2]) } : undefined;
}

/** The reads that FHIR ids name, by id; ids of no read are left out. */
export async function readsByFhirId(db: Kysely<Database>, ids: string[]): Promise<Map<string, AccessRead>> {
  const asked = ids.flatMap((id) => readOfId(id) ?? []);
  if (asked.length === 0) return new Map();
  const batchIds = [...new Set(asked.map((read) => read.batchId))];
  const batches = new Map(
    (await db.selectFrom('access_log').select(['id', 'reads']).where('id', 'in', batchIds).execute()).map((batch) => [batch.id, batch.reads]),
  );
  return new Map(
    asked.flatMap(({ batchId, n }) => {
      const read = batches.get(batchId)?.[n - 1];
      return read ? [[readId(batchId, n), read] as const] : [];
    }),
  );
}

/** A batch of the access log as `verify` walks it: its link and how to recompute its hash. */
export function batchLink(row: AccessLogRow) {
  return {
    chain: row.chain,
    seq: row.chain_seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    recomputed: (previousHash: string) => batchHash(previousHash, { seq: row.chain_seq, writtenAt: row.written_at.toISOString(), reads: row.reads }),
  };
}
