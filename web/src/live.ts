// Live updates: /api/events (Server-Sent Events) read with fetch, so the bearer token travels in a
// header; after a drop (or when the access token is renewed) the stream resumes from the last event
// seen (Last-Event-ID).
import { freshAccessToken } from './auth';

/** Calls `onEvent` for each event of the caller's organisations until `signal` aborts. */
export function followEvents(onEvent: (type: string) => void, signal: AbortSignal): void {
  let lastEventId = '';
  const connect = async () => {
    const accessToken = await freshAccessToken();
    if (!accessToken) return;
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const response = await fetch('/api/events', { headers, signal });
    if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += read.value;
      const messages = buffer.split('\n\n');
      buffer = messages.pop() ?? '';
      for (const message of messages) {
        const fields = Object.fromEntries(message.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        if (fields.id) lastEventId = fields.id;
        if (fields.event) onEvent(fields.event);
      }
    }
  };
  const keepFollowing = async () => {
    while (!signal.aborted) {
      await connect().catch(() => undefined);
      if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void keepFollowing();
}
