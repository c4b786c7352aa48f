// A Server-Sent Events client for tests: opens GET /api/events with a demo identity's token (and a
// Last-Event-ID), parses the frames as they arrive, and waits for the ones a test expects.
import type { Harness, Identity } from './harness.js';

interface StreamedEvent {
  id: string;
  event: string;
  data: any;
}

export async function openEvents(harness: Harness, as: Identity, lastEventId?: string) {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${await harness.token(as)}`, accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(`${harness.baseUrl}/api/events`, { headers, signal: controller.signal });
  const events: StreamedEvent[] = [];
  let comments = 0;
  let waiters: (() => void)[] = [];
  const reading = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (block.startsWith(':')) comments++;
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':') && line.includes(': '))
              .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
          );
          if (fields.data) events.push({ id: fields.id ?? '', event: fields.event ?? 'message', data: JSON.parse(fields.data) });
          for (const wake of waiters) wake();
          waiters = [];
        }
      }
    } catch {
      // aborted by close()
    }
  })();

  /** Waits until `check` holds of what has arrived (or fails after `timeoutMs`). */
  async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => [e.id, e.event]))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    comments: () => comments,
    until,
    async close() {
      controller.abort();
      await reading;
    },
  };
}
