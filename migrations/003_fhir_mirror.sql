-- The FHIR mirror: an outbox of resources to deliver to the FHIR server, filled by triggers in the
-- same transaction as the change (so a committed change always has its row and a rolled-back one
-- never does), and the embedded FHIR store that serves /fhir when no upstream server is configured.

-- One row per mirrored resource. Each change bumps change_seq; the worker delivers the resource's
-- current state and records the change_seq it delivered, so superseded versions coalesce and a
-- resource is never delivered by two workers at once (its one row is leased while in flight).
CREATE SEQUENCE fhir_outbox_change_seq;
CREATE TABLE fhir_outbox (
  resource_type   text NOT NULL,
  resource_id     text NOT NULL,
  change_seq      bigint NOT NULL,
  delivered_seq   bigint NOT NULL DEFAULT 0,
  pending_since   timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  leased_until    timestamptz,
  last_error      text,
  last_error_at   timestamptz,
  delivered_at    timestamptz,
  PRIMARY KEY (resource_type, resource_id)
);
CREATE INDEX fhir_outbox_pending ON fhir_outbox (next_attempt_at) WHERE change_seq > delivered_seq;

CREATE FUNCTION fhir_outbox_enqueue(kind text, key text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO fhir_outbox (resource_type, resource_id, change_seq, pending_since, next_attempt_at)
  VALUES (kind, key, nextval('fhir_outbox_change_seq'), clock_timestamp(), clock_timestamp())
  ON CONFLICT (resource_type, resource_id) DO UPDATE SET
    change_seq = excluded.change_seq,
    pending_since = coalesce(fhir_outbox.pending_since, excluded.pending_since),
    next_attempt_at = CASE WHEN fhir_outbox.change_seq > fhir_outbox.delivered_seq
      THEN fhir_outbox.next_attempt_at ELSE excluded.next_attempt_at END
$$;

CREATE FUNCTION fhir_mirror_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('ServiceRequest', 'referral-' || NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER referral_mirrored AFTER INSERT OR UPDATE ON referral
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_referral();

CREATE FUNCTION fhir_mirror_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Task', 'referral-task-' || NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER referral_task_mirrored AFTER INSERT OR UPDATE ON referral_task
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_task();

CREATE FUNCTION fhir_mirror_task_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Task', 'referral-task-' || NEW.task_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER task_note_mirrored AFTER INSERT ON task_note
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_task_note();

CREATE FUNCTION fhir_mirror_audit_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('AuditEvent', 'audit-' || NEW.seq);
  RETURN NULL;
END
$$;
CREATE TRIGGER audit_event_mirrored AFTER INSERT ON audit_event
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_audit_event();

CREATE FUNCTION fhir_mirror_consent_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Consent', 'consent-' || NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER consent_grant_mirrored AFTER INSERT OR UPDATE ON consent_grant
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_consent_grant();

-- Records written before this migration are mirrored too.
SELECT fhir_outbox_enqueue('ServiceRequest', 'referral-' || id) FROM referral;
SELECT fhir_outbox_enqueue('Task', 'referral-task-' || id) FROM referral_task;
SELECT fhir_outbox_enqueue('AuditEvent', 'audit-' || seq) FROM audit_event;
SELECT fhir_outbox_enqueue('Consent', 'consent-' || id) FROM consent_grant;

-- The embedded FHIR store: the current version of each resource with the columns search uses,
-- and every version in the history.
CREATE TABLE fhir_resource (
  resource_type  text NOT NULL,
  id             text NOT NULL,
  version_id     integer NOT NULL,
  last_updated   timestamptz NOT NULL,
  deleted        boolean NOT NULL DEFAULT false,
  compartments   text[] NOT NULL DEFAULT '{}',
  statuses       text[] NOT NULL DEFAULT '{}',
  identifiers    text[] NOT NULL DEFAULT '{}',
  content        jsonb NOT NULL,
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX fhir_resource_by_updated ON fhir_resource (resource_type, last_updated, id);
CREATE INDEX fhir_resource_by_compartment ON fhir_resource USING gin (compartments);
CREATE INDEX fhir_resource_by_identifier ON fhir_resource USING gin (identifiers);
CREATE INDEX fhir_resource_by_status ON fhir_resource USING gin (statuses);

CREATE TABLE fhir_resource_history (
  resource_type  text NOT NULL,
  id             text NOT NULL,
  version_id     integer NOT NULL,
  last_updated   timestamptz NOT NULL,
  deleted        boolean NOT NULL,
  content        jsonb NOT NULL,
  PRIMARY KEY (resource_type, id, version_id)
);
