// GET /api/events: the events of the caller's organisations as Server-Sent Events — each with its
// delivery position as `id`, so a client that reconnects with Last-Event-ID resumes without gaps or
// repeats — and a heartbeat comment while nothing happens. Referrers are told their organisations'
// referring side, receivers the receiving side.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { coalesced } from '../../platform/coalesced.js';
import { forbidden, validationFailed } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http-schemas.js';
import { requireRole } from '../identity/caller.js';
import { callerOf } from '../identity/plugin.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../database.js';
import { eventsFor, latestSeq, type NotificationFeed } from './feed.js';
import { audiencesOf } from './audiences.js';
import type { NotificationEventRow } from './tables.js';

const PAGE = 200;

function resumeFrom(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d{1,15}$/.test(header)) throw validationFailed('headers.last-event-id', 'is not an event id this stream sent');
  return Number(header);
}

const frame = (event: NotificationEventRow) =>
  `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({
    type: event.type,
    subject: `${event.subject_type}/${event.subject_id}`,
    occurredAt: event.occurred_at.toISOString(),
    ...event.data,
  })}\n\n`;

export const notificationRoutes: FastifyPluginAsync<{ db: Kysely<Database>; feed: NotificationFeed; heartbeatMs: number }> = async (
  app,
  { db, feed, heartbeatMs },
) => {
  // Streams never end on their own: they are ended when the server closes, so that it can.
  const open = new Set<FastifyReply>();
  app.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
  });

  app.get(
    '/events',
    {
      schema: {
        tags: ['notifications'],
        summary: "Server-Sent Events of the caller's organisations' referrals and advice requests; resumable with Last-Event-ID",
        produces: ['text/event-stream'],
        response: { 200: { type: 'string', description: 'text/event-stream' }, ...errorResponses(400, 401, 403) },
      },
    },
    async function streamEvents(request, reply) {
      const caller = callerOf(request);
      requireRole(caller, 'clinician');
      const audiences = audiencesOf(caller);
      if (audiences.length === 0) throw forbidden('You refer or receive for no organisation, so there is nothing to tell you');
      const header = request.headers['last-event-id'];
      let last = resumeFrom(Array.isArray(header) ? header[0] : header) ?? (await latestSeq(db));
      openStream(reply);
      open.add(reply);
      /** Writes every event after `last`, page by page. */
      const pump = coalesced(async () => {
        for (let page = await eventsFor(db, audiences, last, PAGE); page.length > 0; page = await eventsFor(db, audiences, last, PAGE)) {
          for (const event of page) reply.raw.write(frame(event));
          last = Number(page.at(-1)!.seq);
        }
      });
      const send = () => pump().catch(() => void reply.raw.destroy());
      const stopListening = feed.onEvents(() => void send());
      const heartbeat = setInterval(() => reply.raw.write(': heartbeat\n\n'), heartbeatMs);
      reply.raw.on('close', () => {
        open.delete(reply);
        stopListening();
        clearInterval(heartbeat);
      });
      await send();
    },
  );
};

/** Takes the response over for the stream: its headers are written here, as no hook will see it. */
function openStream(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  reply.raw.write('retry: 3000\n\n');
}
