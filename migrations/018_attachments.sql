-- Attachments on referrals (issue 13): letters, PDFs and images. Content is stored once per SHA-256
-- (an object store could hold it instead, behind the same interface); each attachment names its
-- content, file name, type, size and uploader. Mirrored as a DocumentReference and its Binary, and
-- the referral's ServiceRequest lists it in supportingInfo.
CREATE TABLE attachment_content (
  sha256 text PRIMARY KEY,
  bytes  bytea NOT NULL
);

CREATE TABLE attachment (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  referral_id  integer NOT NULL REFERENCES referral (id),
  file_name    text NOT NULL,
  content_type text NOT NULL,
  size_bytes   integer NOT NULL,
  sha256       text NOT NULL REFERENCES attachment_content (sha256),
  description  text,
  uploaded_by  text NOT NULL,
  author       text NOT NULL,
  uploaded_at  timestamptz NOT NULL
);
CREATE INDEX attachment_of_referral ON attachment (referral_id, id);

-- The FHIR ids of attachments and of advice requests and their messages join the one spelling.
CREATE OR REPLACE FUNCTION fhir_id(kind text, id bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE kind
    WHEN 'referral' THEN 'referral-'
    WHEN 'task' THEN 'referral-task-'
    WHEN 'consent' THEN 'consent-'
    WHEN 'audit' THEN 'audit-'
    WHEN 'attachment' THEN 'attachment-'
    WHEN 'advice' THEN 'advice-request-'
    WHEN 'message' THEN 'advice-message-'
  END || id
$$;

CREATE FUNCTION fhir_mirror_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Binary', fhir_id('attachment', NEW.id));
  PERFORM fhir_outbox_enqueue('DocumentReference', fhir_id('attachment', NEW.id));
  PERFORM fhir_outbox_enqueue('ServiceRequest', fhir_id('referral', NEW.referral_id));
  RETURN NULL;
END
$$;

CREATE TRIGGER attachment_mirrored AFTER INSERT ON attachment
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_attachment();
