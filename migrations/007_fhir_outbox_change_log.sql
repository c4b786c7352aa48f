-- Changes reach the outbox through an append-only log: a change's transaction only appends a row
-- (no upsert, so it never waits on the mirror worker's locks), and the worker folds the log into
-- the per-resource outbox rows before each round.
CREATE TABLE fhir_outbox_change (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource_type text NOT NULL,
  resource_id   text NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- PL/pgSQL keeps the insert's plan for the session (a SQL function would plan it on every call).
CREATE OR REPLACE FUNCTION fhir_outbox_enqueue(kind text, key text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO fhir_outbox_change (resource_type, resource_id) VALUES (kind, key);
END
$$;
