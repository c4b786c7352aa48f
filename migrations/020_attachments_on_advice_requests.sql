-- An attachment belongs to a referral or to an advice request (issue 13): a letter or an image the
-- specialist is asked about. Its DocumentReference then relates to the conversation's
-- CommunicationRequest instead of a ServiceRequest.
ALTER TABLE attachment ALTER COLUMN referral_id DROP NOT NULL;
ALTER TABLE attachment ADD COLUMN advice_request_id integer REFERENCES advice_request (id);
ALTER TABLE attachment ADD CONSTRAINT attachment_belongs_to_one CHECK (num_nonnulls(referral_id, advice_request_id) = 1);
CREATE INDEX attachment_of_advice_request ON attachment (advice_request_id, id) WHERE advice_request_id IS NOT NULL;

CREATE OR REPLACE FUNCTION fhir_mirror_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fhir_outbox_enqueue('Binary', fhir_id('attachment', NEW.id));
  PERFORM fhir_outbox_enqueue('DocumentReference', fhir_id('attachment', NEW.id));
  IF NEW.referral_id IS NOT NULL THEN
    PERFORM fhir_outbox_enqueue('ServiceRequest', fhir_id('referral', NEW.referral_id));
  END IF;
  RETURN NULL;
END
$$;
