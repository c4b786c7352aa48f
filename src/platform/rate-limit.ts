// Per-client request limits on /api and /fhir through @fastify/rate-limit, with its counts in
// PostgreSQL so that every process behind a load balancer counts against the same limit. A client is
// the caller the token names (a user, a SMART app), or the address before one is known. Above the
// limit: 429 with Retry-After, in the surface's own error shape.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { AppError } from './errors.js';
import { platformTablesOf, type PlatformTables } from './tables.js';

const WINDOW_MS = 60_000;

/** Limits the routes of `scope` to `perMinute` requests per client (none when 0). */
export async function limitRequests<DB extends PlatformTables>(
  scope: FastifyInstance,
  db: Kysely<DB>,
  surface: 'api' | 'fhir',
  perMinute: number,
): Promise<void> {
  if (perMinute === 0) return;
  await scope.register(rateLimit, {
    max: perMinute,
    timeWindow: WINDOW_MS,
    hook: 'preHandler',
    store: postgresStore(platformTablesOf(db)),
    keyGenerator: (request) => `${surface}:${clientOf(request)}`,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', `More than ${context.max} requests a minute from this client: try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
}

function clientOf(request: FastifyRequest): string {
  if (request.smartContext) return `app:${request.smartContext.clientId}`;
  return request.caller ? `caller:${request.caller.sub}` : `address:${request.ip}`;
}

type Counted = { current: number; ttl: number };

/** @fastify/rate-limit's store interface over one row per client: its fixed window's start and hits. */
function postgresStore(db: Kysely<PlatformTables>) {
  return class PostgresRateLimitStore {
    incr(key: string, done: (error: Error | null, counted?: Counted) => void, windowMs: number): void {
      hit(db, key, windowMs).then((counted) => done(null, counted), done);
    }

    child(): PostgresRateLimitStore {
      return this;
    }
  };
}

async function hit(db: Kysely<PlatformTables>, key: string, windowMs: number): Promise<Counted> {
  const now = Date.now();
  const windowStart = now - (now % windowMs);
  const { rows } = await sql<{ hits: number }>`
    INSERT INTO rate_limit_window (key, window_start, hits) VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN rate_limit_window.window_start = excluded.window_start THEN rate_limit_window.hits + 1 ELSE 1 END,
      window_start = excluded.window_start
    RETURNING hits`.execute(db);
  return { current: rows[0]!.hits, ttl: windowStart + windowMs - now };
}
