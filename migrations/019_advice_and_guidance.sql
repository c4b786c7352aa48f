-- Advice & guidance (issue 13): a clinician asks a specialist organisation a question about a patient
-- before, or instead of, referring. A conversation of messages from either side, closed when answered,
-- or converted into a referral that keeps it. Mirrored as a CommunicationRequest and a Communication
-- per message.
CREATE TABLE advice_request (
  id                           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version                      integer NOT NULL DEFAULT 1,
  status                       text NOT NULL CHECK (status IN ('AWAITING_SPECIALIST', 'AWAITING_REQUESTER', 'CLOSED', 'CONVERTED')),
  patient_id                   text NOT NULL,
  requester_id                 text NOT NULL,
  sending_organisation_id      text NOT NULL,
  performer_id                 text NOT NULL,
  receiving_organisation_id    text NOT NULL,
  receiving_facility_client_id text NOT NULL,
  subject                      text NOT NULL,
  shared_resource_types        jsonb NOT NULL DEFAULT '[]',
  please_refer                 boolean NOT NULL DEFAULT false,
  referral_id                  integer REFERENCES referral (id),
  created_by                   text NOT NULL,
  created_at                   timestamptz NOT NULL,
  updated_at                   timestamptz NOT NULL
);
CREATE INDEX advice_request_by_requester ON advice_request (requester_id, id);
CREATE INDEX advice_request_by_sender ON advice_request (sending_organisation_id, id);
CREATE INDEX advice_request_by_performer ON advice_request (performer_id, id);
CREATE INDEX advice_request_by_receiver ON advice_request (receiving_organisation_id, id);

CREATE TABLE advice_message (
  id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  advice_request_id integer NOT NULL REFERENCES advice_request (id),
  author            text NOT NULL,
  side              text NOT NULL CHECK (side IN ('requester', 'specialist')),
  text              text NOT NULL,
  please_refer      boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL
);
CREATE INDEX advice_message_of_request ON advice_message (advice_request_id, id);

-- A referral converted from an advice request keeps the conversation.
ALTER TABLE referral ADD COLUMN advice_request_id integer REFERENCES advice_request (id);

CREATE FUNCTION fhir_mirror_advice_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('CommunicationRequest', fhir_id('advice', NEW.id));
  RETURN NULL;
END
$$;
CREATE TRIGGER advice_request_mirrored AFTER INSERT OR UPDATE ON advice_request
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_advice_request();

CREATE FUNCTION fhir_mirror_advice_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Communication', fhir_id('message', NEW.id));
  RETURN NULL;
END
$$;
CREATE TRIGGER advice_message_mirrored AFTER INSERT ON advice_message
  FOR EACH ROW EXECUTE FUNCTION fhir_mirror_advice_message();
