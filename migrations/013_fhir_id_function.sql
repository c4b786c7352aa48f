-- One spelling of the FHIR ids of the service's records for every trigger that queues them for the
-- FHIR mirror: fhir_id('referral', 12) = 'referral-12'. src/modules/vocabulary/fhir-ids.ts spells
-- the same scheme for the application, and a test holds both to the same answers.
CREATE FUNCTION fhir_id(kind text, id bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE kind
    WHEN 'referral' THEN 'referral-'
    WHEN 'task' THEN 'referral-task-'
    WHEN 'consent' THEN 'consent-'
    WHEN 'audit' THEN 'audit-'
  END || id
$$;

CREATE OR REPLACE FUNCTION fhir_mirror_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('ServiceRequest', fhir_id('referral', NEW.id));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION fhir_mirror_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Task', fhir_id('task', NEW.id));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION fhir_mirror_task_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Task', fhir_id('task', NEW.task_id));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION fhir_mirror_audit_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('AuditEvent', fhir_id('audit', NEW.seq));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION fhir_mirror_consent_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Consent', fhir_id('consent', NEW.id));
  RETURN NULL;
END
$$;
