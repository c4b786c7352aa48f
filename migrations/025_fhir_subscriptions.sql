-- FHIR Subscriptions (issue 14, R4 Subscriptions Backport IG): a subscriber's topic-based Subscription
-- to referral changes, delivered over the rest-hook channel as notification Bundles. It is told the
-- events of the organisations and sides it was created for (`audiences`), from the delivery position
-- at its creation (`start_seq`); an event's number is its place among those. Its handshake, heartbeats
-- and deliveries are worked as a webhook endpoint's are: its own cursor, a lease, backoff on failure.
CREATE TABLE fhir_subscription (
  id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner             text NOT NULL,
  audiences         jsonb NOT NULL,
  endpoint          text NOT NULL,
  headers           jsonb NOT NULL DEFAULT '[]',
  content           text NOT NULL CHECK (content IN ('empty', 'id-only', 'full-resource')),
  heartbeat_seconds integer CHECK (heartbeat_seconds > 0),
  timeout_seconds   integer NOT NULL CHECK (timeout_seconds > 0),
  reason            text NOT NULL,
  ends_at           timestamptz,
  status            text NOT NULL CHECK (status IN ('requested', 'active', 'error', 'off')),
  handshake_done    boolean NOT NULL DEFAULT false,
  start_seq         bigint NOT NULL,
  delivered_seq     bigint NOT NULL,
  delivered_count   bigint NOT NULL DEFAULT 0,
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL,
  leased_until      timestamptz,
  last_sent_at      timestamptz,
  last_error        text,
  created_at        timestamptz NOT NULL
);
CREATE INDEX fhir_subscription_due ON fhir_subscription (next_attempt_at) WHERE status <> 'off';
CREATE INDEX fhir_subscription_of_owner ON fhir_subscription (owner, id);
