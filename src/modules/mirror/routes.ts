// GET /api/admin/outbox: the mirror's stuck rows (failed at least once, still undelivered) with their
// last error, and the outbox's overall state. Admins only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { Nullable } from '../../platform/http-schemas.js';
import type { Database } from '../../database.js';
import { requireRole } from '../identity/caller.js';
import { callerOf } from '../identity/plugin.js';
import { outboxStatus, stuckRows } from './outbox.js';

export const OutboxState = Type.Object({
  pending: Type.Integer({ description: 'Resources with changes not yet delivered, counted up to 1,000' }),
  pendingAtLeast: Type.Boolean({ description: 'More are pending than counted: `pending` is a lower bound' }),
  oldestPendingSeconds: Nullable(Type.Number({ description: 'Age of the oldest undelivered change' })),
  lastError: Nullable(Type.Object({ resource: Type.String(), error: Type.String(), at: Type.String() })),
});

const StuckRow = Type.Object({
  resource: Type.String(),
  attempts: Type.Integer(),
  pendingSince: Nullable(Type.String()),
  nextAttemptAt: Type.String(),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(Type.String()),
});

export const outboxRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/admin/outbox',
    {
      schema: {
        tags: ['admin'],
        summary: 'FHIR mirror outbox: stuck rows and overall state',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
        response: { 200: Type.Object({ state: OutboxState, stuck: Type.Array(StuckRow) }) },
      },
    },
    async function listStuckOutboxRows(request) {
      requireRole(callerOf(request), 'admin');
      const rows = await stuckRows(db, request.query.limit ?? 100);
      return {
        state: await outboxStatus(db, { fullErrors: true }),
        stuck: rows.map((row) => ({
          resource: `${row.resource_type}/${row.resource_id}`,
          attempts: row.attempts,
          pendingSince: row.pending_since?.toISOString() ?? null,
          nextAttemptAt: row.next_attempt_at.toISOString(),
          lastError: row.last_error,
          lastErrorAt: row.last_error_at?.toISOString() ?? null,
        })),
      };
    },
  );
};
