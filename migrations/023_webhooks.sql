-- Webhooks (issue 14): an administrator registers an endpoint for an organisation; the organisation's
-- events are delivered to it in delivery order (so in order per referral), at least once: its cursor
-- moves past an event only once the endpoint has taken it. A failing endpoint backs off on its own and
-- keeps its last error for administrators; it delays no other endpoint.
CREATE TABLE webhook_endpoint (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation    text NOT NULL,
  url             text NOT NULL,
  event_types     jsonb NOT NULL DEFAULT '[]',
  secret          text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  delivered_seq   bigint NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  leased_until    timestamptz,
  failing_since   timestamptz,
  last_error      text,
  last_error_at   timestamptz,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_endpoint_due ON webhook_endpoint (next_attempt_at) WHERE active;
CREATE INDEX notification_event_occurred ON notification_event (occurred_at);
