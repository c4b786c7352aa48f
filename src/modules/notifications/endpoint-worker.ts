// How endpoints that take an organisation's events (webhooks, FHIR Subscriptions) are worked: the
// ones due are claimed (each leased to one worker at a time) and worked side by side, each at its own
// pace, so a slow or dead one delays only itself; one that is done is looked at again at once.
import { coalesced } from '../../platform/coalesced.js';

/** How long a claimed endpoint is this worker's before another may take it up. */
export const LEASE_SECONDS = 600;
/** Endpoints claimed at once. */
export const CLAIM = 16;
/** Events offered to one endpoint per turn (its cursor is written once per turn). */
export const TURN = 100;

export interface EndpointWork<Endpoint extends { id: number }> {
  /** Endpoints due, leased to this worker; at most `claimSize`. */
  claimDue(): Promise<Endpoint[]>;
  claimSize: number;
  /** Offers the endpoint what it is due; it records its own success or failure. */
  work(endpoint: Endpoint, stopping: AbortSignal): Promise<void>;
  pollMs: number;
  onError?: (message: string) => void;
}

export function createEndpointWorker<Endpoint extends { id: number }>({ claimDue, claimSize, work, pollMs, onError }: EndpointWork<Endpoint>) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Aborts the deliveries in flight when the worker stops. */
  let stopping = new AbortController();
  /** Endpoints being worked by this process. */
  const inFlight = new Map<number, Promise<void>>();

  /** Claims every endpoint due and starts working each on its own; it waits for none of them. */
  const workDue = coalesced(async () => {
    const due = await claimDue().catch((error: Error) => {
      onError?.(error.message);
      return [];
    });
    for (const endpoint of due) {
      const worked = work(endpoint, stopping.signal).finally(() => {
        inFlight.delete(endpoint.id);
        if (!stopped) void workDue();
      });
      inFlight.set(endpoint.id, worked);
    }
    return due.length === claimSize;
  });

  /** Resolves once every delivery started so far has ended (tests, and stopping). */
  async function settled(): Promise<void> {
    await workDue();
    while (inFlight.size > 0) await Promise.all(inFlight.values());
  }

  return {
    deliverDue: () => (stopped ? Promise.resolve() : workDue()),
    settled,
    start() {
      stopped = false;
      stopping = new AbortController();
      timer ??= setInterval(() => void workDue(), pollMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      timer = undefined;
      await settled();
    },
  };
}

export type EndpointWorker = ReturnType<typeof createEndpointWorker>;

/** What an administrator is shown of a failed delivery: the error and, for a connection, its cause (ECONNREFUSED…). */
export function failureOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error.cause as { code?: string } | undefined)?.code;
  return cause ? `${error.message} (${cause})` : error.message;
}

/** The wait before the next attempt at an endpoint that failed `attempts` times in a row: doubling from a second, at most `maxMs`. */
export const backoffMs = (attempts: number, maxMs: number) => Math.min(maxMs, 1000 * 2 ** Math.min(attempts - 1, 20));
