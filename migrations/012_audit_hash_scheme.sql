-- Each audit event names the scheme its hash was computed with, so the encoding can change without
-- breaking chains already written. Scheme 1: the service's own sorted-key JSON of the event and its
-- position (every event before this migration). Scheme 2: RFC 8785 (JSON Canonicalization Scheme)
-- of the same content, hashed in the application only.
-- Adding a column with a default rewrites no row, so the append-only trigger is not involved.
ALTER TABLE audit_event ADD COLUMN hash_scheme smallint NOT NULL DEFAULT 1;
ALTER TABLE audit_event ALTER COLUMN hash_scheme DROP DEFAULT;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_known_hash_scheme CHECK (hash_scheme IN (1, 2));
