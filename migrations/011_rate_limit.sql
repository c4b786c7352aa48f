-- Request counts per client and fixed time window, shared by every process behind the load balancer
-- (@fastify/rate-limit's store). Losing them in a crash costs nothing, so the table is not logged.
CREATE UNLOGGED TABLE rate_limit_window (
  key           text PRIMARY KEY,
  window_start  bigint NOT NULL,
  hits          integer NOT NULL
);
