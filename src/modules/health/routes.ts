// GET /health: is the database reachable, and how far behind is the FHIR mirror? No token needed;
// nothing about patients is said, nor where the upstream FHIR server is or how it is reached.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import Type from 'typebox';
import type { Database } from '../../database.js';
import { outboxStatus } from '../mirror/outbox.js';
import { OutboxState } from '../mirror/routes.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Object({ engine: Type.String(), reachable: Type.Boolean() }),
  fhirMirror: Type.Optional(Type.Intersect([Type.Object({ target: Type.String() }), OutboxState])),
});

/** `mirrorTarget` is absent where this process runs no FHIR mirror (`--only consent`). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; engine: string; mirrorTarget?: string }> = async (
  app,
  { db, engine, mirrorTarget },
) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Service health', security: [], response: { 200: Health, 503: Health } } },
    async function health(_request, reply) {
      const mirror = mirrorTarget ? await outboxStatus(db).catch(() => undefined) : undefined;
      const reachable =
        mirror !== undefined ||
        (await sql`select 1`.execute(db).then(
          () => true,
          () => false,
        ));
      const fhirMirror = mirror && { target: mirrorTarget!, ...mirror };
      return reply
        .status(reachable ? 200 : 503)
        .send({ status: reachable ? 'ok' : 'unavailable', database: { engine, reachable }, ...(fhirMirror && { fhirMirror }) });
    },
  );
};
