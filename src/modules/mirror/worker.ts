// The mirror worker: claims due outbox rows, reads each resource as it is now, PUTs it to the FHIR
// server and records the delivery. Failures retry with exponential backoff and full jitter; nothing
// is ever dropped. Any number of workers may run on one database.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/schema.js';
import type { FhirBackend } from '../fhir/backend.js';
import { claimDue, markDelivered, markFailed, type OutboxClaim } from './outbox.js';
import type { MirrorSources } from './sources.js';

export interface MirrorWorkerOptions {
  db: Kysely<Database>;
  sources: MirrorSources;
  target: Pick<FhirBackend, 'put'>;
  batchSize?: number;
  pollMs?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Must outlast a delivery's timeout, so a lease never ends while its PUT may still land. */
  leaseMs?: number;
  onError?: (message: string) => void;
}

export interface MirrorWorker {
  /** One round: claims due rows and delivers them; returns how many it claimed. */
  deliverDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createMirrorWorker(options: MirrorWorkerOptions): MirrorWorker {
  const { db, sources, target } = options;
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 60_000;
  let running: Promise<void> | undefined;
  let stopping = false;

  async function deliverDue(): Promise<number> {
    const claims = await claimDue(db, batchSize, leaseMs);
    const queue = [...claims];
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let claim = queue.shift(); claim; claim = queue.shift()) await deliver(claim);
    }));
    return claims.length;
  }

  async function deliver(claim: OutboxClaim): Promise<void> {
    try {
      const resource = await sources[claim.resourceType]?.(claim.resourceId);
      if (!resource) throw new Error(`${claim.resourceType}/${claim.resourceId} has no record to deliver`);
      await target.put(resource as typeof resource & { id: string });
      await markDelivered(db, claim);
    } catch (error) {
      await markFailed(db, claim, (error as Error).message, retryTime(claim.attempts, options));
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

/** Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped. */
export function retryTime(attempts: number, options: Pick<MirrorWorkerOptions, 'retryBaseMs' | 'retryMaxMs'>, now = Date.now()): Date {
  const ceiling = Math.min(options.retryMaxMs ?? 60_000, (options.retryBaseMs ?? 500) * 2 ** Math.max(0, attempts - 1));
  return new Date(now + ceiling / 2 + Math.random() * (ceiling / 2));
}
