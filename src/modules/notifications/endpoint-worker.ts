// How endpoints that take an organisation's events (webhooks, FHIR Subscriptions) are worked, in
// rounds: a round keeps what the endpoints that finished since the last one achieved (one statement for
// all of them), then claims the endpoints due (each leased to one worker at a time, with the events
// they are due, in one statement) and starts each on its own. Endpoints are worked side by side, each
// at its own pace, so a slow or dead one delays only itself; one that finishes asks for the next round.
// A round waits a few milliseconds first, so events committed close together share a turn: the cost
// in statements stays per round, not per event or per endpoint.
import { setMaxListeners } from 'node:events';
import { coalesced } from '../../platform/coalesced.js';

/** How long a claimed endpoint is this worker's before another may take it up. */
export const LEASE_SECONDS = 600;
/** Endpoints claimed at once. */
export const CLAIM = 16;
/** Events offered to one endpoint per turn. */
export const TURN = 100;
/** How long a round waits for the events committed right behind the one that asked for it. */
const GATHER_MS = 20;

export interface EndpointWork<Endpoint extends { id: number }, Outcome> {
  /** Endpoints due, leased to this worker, with what they are due; at most `claimSize`. */
  claimDue(): Promise<Endpoint[]>;
  claimSize: number;
  /** Offers the endpoint what it is due; answers what it achieved (never throws). */
  work(endpoint: Endpoint, stopping: AbortSignal): Promise<Outcome>;
  /** Keeps the outcomes of endpoints that finished, and ends their leases. */
  keep(outcomes: Outcome[]): Promise<void>;
  pollMs: number;
  onError?: (message: string) => void;
}

export function createEndpointWorker<Endpoint extends { id: number }, Outcome>(options: EndpointWork<Endpoint, Outcome>) {
  const { claimDue, claimSize, work, keep, pollMs, onError } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Aborts the deliveries in flight when the worker stops (each of which listens to it). */
  let stopping = stoppingSignal();
  /** Endpoints being worked by this process. */
  const inFlight = new Map<number, Promise<void>>();
  /** Outcomes of endpoints that finished, not yet kept (their leases held until they are). */
  let finished: Outcome[] = [];

  const keepFinished = async () => {
    const outcomes = finished;
    finished = [];
    if (outcomes.length > 0) await keep(outcomes).catch((error: Error) => onError?.(error.message));
  };

  const round = coalesced(async () => {
    await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
    await keepFinished();
    if (stopped) return false;
    const due = await claimDue().catch((error: Error) => {
      onError?.(error.message);
      return [];
    });
    for (const endpoint of due) {
      // An endpoint whose work failed outright keeps its lease until it runs out, then is tried again.
      const worked = work(endpoint, stopping.signal)
        .then(
          (outcome) => void finished.push(outcome),
          (error: Error) => onError?.(`endpoint ${endpoint.id}: ${error.message}`),
        )
        .finally(() => {
          inFlight.delete(endpoint.id);
          void round();
        });
      inFlight.set(endpoint.id, worked);
    }
    return due.length === claimSize;
  });

  /** Resolves once every delivery started so far has ended and been kept (tests, and stopping). */
  async function settled(): Promise<void> {
    await round();
    while (inFlight.size > 0) await Promise.all(inFlight.values());
    await keepFinished();
  }

  return {
    deliverDue: () => (stopped ? Promise.resolve() : round()),
    settled,
    start() {
      stopped = false;
      stopping = stoppingSignal();
      timer ??= setInterval(() => void round(), pollMs);
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

/** The controller that aborts every delivery in flight: as many listen to it as are in flight. */
function stoppingSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

export type EndpointWorker = ReturnType<typeof createEndpointWorker<{ id: number }, unknown>>;

/** What an administrator is shown of a failed delivery: the error and, for a connection, its cause (ECONNREFUSED…). */
export function failureOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = [error, error.cause].map((e) => (e as { code?: unknown } | undefined)?.code).find((c) => typeof c === 'string' && c.startsWith('E'));
  return code && !error.message.includes(code as string) ? `${error.message} (${code})` : error.message;
}

/** The wait before the next attempt at an endpoint that failed `attempts` times in a row: doubling from a second, at most `maxMs`. */
export const backoffMs = (attempts: number, maxMs: number) => Math.min(maxMs, 1000 * 2 ** Math.min(attempts - 1, 20));
