-- Referral Hub schema: referrals and their tasks, consent grants, the hash-chained audit trail,
-- and idempotency records for retried requests.

CREATE TABLE referral (
  id                           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version                      integer NOT NULL DEFAULT 1,
  status                       text NOT NULL
    CHECK (status IN ('DRAFT', 'ACTIVE', 'ON_HOLD', 'REVOKED', 'COMPLETED')),
  patient_id                   text NOT NULL,
  requester_id                 text NOT NULL,
  performer_id                 text NOT NULL,
  receiving_facility_client_id text NOT NULL,
  referral_code                text NOT NULL,
  referral_display             text,
  priority                     text NOT NULL CHECK (priority IN ('ROUTINE', 'URGENT', 'ASAP', 'STAT')),
  priority_rank                smallint GENERATED ALWAYS AS (
    CASE priority WHEN 'STAT' THEN 0 WHEN 'ASAP' THEN 1 WHEN 'URGENT' THEN 2 ELSE 3 END) STORED,
  reason_codes                 jsonb NOT NULL DEFAULT '[]',
  clinical_note                text,
  shared_resource_types        jsonb NOT NULL,
  occurrence_date              text,
  sending_organisation_id      text NOT NULL,
  receiving_organisation_id    text NOT NULL,
  consent_verified             boolean NOT NULL DEFAULT false,
  authored_on                  timestamptz,
  response_due_at              timestamptz,
  hold_reason                  text,
  revocation_reason            text,
  created_by                   text NOT NULL,
  created_at                   timestamptz NOT NULL,
  updated_at                   timestamptz NOT NULL
);
CREATE INDEX referral_by_sender ON referral (sending_organisation_id, id);
CREATE INDEX referral_by_requester ON referral (requester_id, id);
CREATE INDEX referral_by_receiver ON referral (receiving_organisation_id, id);
CREATE INDEX referral_inbox ON referral (performer_id, priority_rank, response_due_at, id)
  WHERE status IN ('ACTIVE', 'ON_HOLD');

CREATE TABLE referral_task (
  id               integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  referral_id      integer NOT NULL REFERENCES referral (id),
  version          integer NOT NULL DEFAULT 1,
  status           text NOT NULL CHECK (status IN
    ('REQUESTED', 'RECEIVED', 'ACCEPTED', 'INPROGRESS', 'COMPLETED', 'REJECTED', 'CANCELLED')),
  owner_id         text NOT NULL,
  requester_id     text NOT NULL,
  rejection_reason text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
-- A referral never has two open tasks, however many sends race.
CREATE UNIQUE INDEX referral_task_one_open ON referral_task (referral_id)
  WHERE status NOT IN ('COMPLETED', 'REJECTED', 'CANCELLED');

CREATE TABLE task_note (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id     integer NOT NULL REFERENCES referral_task (id),
  author      text NOT NULL,
  status      text NOT NULL,
  text        text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX task_note_by_task ON task_note (task_id, id);

CREATE TABLE consent_grant (
  id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id     text NOT NULL,
  client_id      text NOT NULL,
  resource_type  text NOT NULL,
  period_start   timestamptz,
  period_end     timestamptz,
  source         text NOT NULL CHECK (source IN ('portal', 'smart', 'api')),
  status         text NOT NULL CHECK (status IN ('active', 'revoked')),
  granted_by     text NOT NULL,
  created_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoked_by     text
);
CREATE INDEX consent_grant_by_patient ON consent_grant (patient_id, client_id, resource_type);

CREATE TABLE audit_event (
  seq          bigint PRIMARY KEY,
  recorded_at  timestamptz NOT NULL,
  actor        text NOT NULL,
  action       text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('success', 'failure')),
  entity_type  text NOT NULL,
  entity_id    text NOT NULL,
  referral_id  integer,
  detail       jsonb NOT NULL,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_event_by_referral ON audit_event (referral_id, seq);

-- The head of the chain: one row, locked by each append so the chain never forks.
CREATE TABLE audit_chain (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_seq   bigint NOT NULL,
  last_hash  text NOT NULL
);
INSERT INTO audit_chain (last_seq, last_hash) VALUES (0, repeat('0', 64));

CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();

-- One row per data set loaded once per database (the demo data).
CREATE TABLE seed_run (
  name        text PRIMARY KEY,
  applied_at  timestamptz NOT NULL
);

CREATE TABLE idempotency_record (
  actor         text NOT NULL,
  operation     text NOT NULL,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  status_code   integer,
  response      jsonb,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (actor, operation, key)
);
