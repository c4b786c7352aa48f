-- The access log: every SMART read of a patient's records, allowed or refused, kept as the batches
-- one process audited together (audit/group-commit.ts). A batch is one row holding its reads, and
-- the patient's access chain links batches, not reads: each batch's hash covers its reads, its
-- position and the hash of the batch before it, and its chain's head (audit_chain) moves once per
-- batch. One row and one head per batch is what lets reads of one patient go at the speed of plain
-- reads. The reads audited before this migration stay in audit_event on their `fhir-access:` chains.
CREATE TABLE access_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain       text NOT NULL,
  chain_seq   bigint NOT NULL,
  written_at  timestamptz NOT NULL,
  reads       jsonb NOT NULL CHECK (jsonb_typeof(reads) = 'array' AND jsonb_array_length(reads) > 0),
  prev_hash   text NOT NULL,
  hash        text NOT NULL,
  hash_scheme smallint NOT NULL CHECK (hash_scheme = 2),
  CONSTRAINT access_log_chain_position UNIQUE (chain, chain_seq)
);

-- One refusal serves every append-only table, naming the table; audit_event's trigger moves onto it.
CREATE FUNCTION refuse_change_to_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE OR REPLACE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();
DROP FUNCTION audit_event_is_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only();

-- Each read is mirrored as its own AuditEvent, `access-<batch>-<n>` (audit/access-log.ts spells the
-- same ids): one statement per batch queues them all.
CREATE FUNCTION fhir_mirror_access_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO fhir_outbox_change (resource_type, resource_id)
  SELECT 'AuditEvent', 'access-' || batch.id || '-' || n
    FROM written AS batch, generate_series(1, jsonb_array_length(batch.reads)) AS n;
  RETURN NULL;
END
$$;
CREATE TRIGGER access_log_mirrored AFTER INSERT ON access_log
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION fhir_mirror_access_log();
