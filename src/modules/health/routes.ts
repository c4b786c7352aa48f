// GET /health: is the database reachable? No token needed; nothing about patients is said.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import Type from 'typebox';
import type { Database } from '../../platform/schema.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Object({ engine: Type.String(), reachable: Type.Boolean() }),
});

export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; engine: string }> = async (app, { db, engine }) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Service health', security: [], response: { 200: Health, 503: Health } } }, async function health(_request, reply) {
    const reachable = await sql`select 1`.execute(db).then(() => true, () => false);
    return reply.status(reachable ? 200 : 503).send({ status: reachable ? 'ok' : 'unavailable', database: { engine, reachable } });
  });
};
