// The mirror worker: folds logged changes into the outbox, claims due rows, reads each resource as
// it is now, PUTs it to the FHIR server and records the delivery. Failures retry with exponential
// backoff and full jitter; nothing is ever dropped. Any number of workers may run on one database.
import type { Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import type { FhirBackend } from '../fhir/backend.js';
import { claimDue, foldChanges, markDelivered, markFailed, type OutboxClaim } from './outbox.js';
import type { MirrorSources } from '../vocabulary/record-sources.js';

export interface MirrorWorkerOptions {
  db: Kysely<Database>;
  sources: MirrorSources;
  target: Pick<FhirBackend, 'putAll'>;
  batchSize?: number;
  pollMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Must outlast a delivery's timeout, so a lease never ends while its PUT may still land. */
  leaseMs?: number;
  onError?: (message: string) => void;
}

export interface MirrorWorker {
  /** One round: folds logged changes, claims due rows and delivers them; returns how many it claimed. */
  deliverDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createMirrorWorker(options: MirrorWorkerOptions): MirrorWorker {
  const { db, sources, target } = options;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 60_000;
  let running: Promise<void> | undefined;
  let stopping = false;

  async function deliverDue(): Promise<number> {
    await foldChanges(db, batchSize * 10);
    const claims = await claimDue(db, batchSize, leaseMs);
    if (claims.length === 0) return 0;
    const failed = await deliver(claims);
    await markDelivered(
      db,
      claims.filter((claim) => !failed.has(keyOf(claim))),
    );
    for (const claim of claims.filter((c) => failed.has(keyOf(c)))) {
      await markFailed(db, claim, failed.get(keyOf(claim))!, retryTime(claim.attempts, options));
    }
    return claims.length;
  }

  /** Reads the claimed resources as they are now and PUTs them all at once; the error of each that failed, by key. */
  async function deliver(claims: OutboxClaim[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const types = [...new Set(claims.map((claim) => claim.resourceType))];
    const read = await Promise.all(
      types.map((type) =>
        readCurrent(
          type,
          claims.filter((claim) => claim.resourceType === type),
          failed,
        ),
      ),
    );
    const resources = read.flat();
    const putFailures = await target.putAll(resources).catch((error: Error) => resources.map((resource) => ({ resource, error: error.message })));
    for (const { resource, error } of putFailures) failed.set(keyOf({ resourceType: resource.resourceType, resourceId: resource.id }), error);
    return failed;
  }

  /** The claimed resources of one type as they are now; a claim without a record, or whose read fails, is failed. */
  async function readCurrent(type: string, claims: OutboxClaim[], failed: Map<string, string>): Promise<(Resource & { id: string })[]> {
    try {
      const source = sources[type];
      const resources = source ? await source(claims.map((claim) => claim.resourceId)) : new Map<string, Resource>();
      for (const claim of claims) if (!resources.has(claim.resourceId)) failed.set(keyOf(claim), `${type}/${claim.resourceId} has no record to deliver`);
      return [...resources.values()] as (Resource & { id: string })[];
    } catch (error) {
      for (const claim of claims) failed.set(keyOf(claim), (error as Error).message);
      return [];
    }
  }

  async function loop() {
    while (!stopping) {
      const claimed = await deliverDue().catch((error: Error) => {
        options.onError?.(`FHIR mirror round failed: ${error.message}`);
        return 0;
      });
      if (claimed < batchSize && !stopping) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
    }
  }

  return {
    deliverDue,
    start() {
      stopping = false;
      running ??= loop().finally(() => (running = undefined));
    },
    async stop() {
      stopping = true;
      await running;
    },
  };
}

const keyOf = (claim: Pick<OutboxClaim, 'resourceType' | 'resourceId'>) => `${claim.resourceType}/${claim.resourceId}`;

/** Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped. */
function retryTime(attempts: number, options: Pick<MirrorWorkerOptions, 'retryBaseMs' | 'retryMaxMs'>, now = Date.now()): Date {
  const ceiling = Math.min(options.retryMaxMs ?? 60_000, (options.retryBaseMs ?? 500) * 2 ** Math.max(0, attempts - 1));
  return new Date(now + ceiling / 2 + Math.random() * (ceiling / 2));
}
