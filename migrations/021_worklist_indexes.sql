-- Worklists stay index-bound at any size (issue 13): each way a referral is a clinician's (the
-- requester, the sending organisation, the performer, the receiving organisation) is scanned per
-- status in due-date order, so a list reads a page, and a count stops at its cap, whatever else the
-- organisation has. The receiving organisation's plain index is covered by its new one.
CREATE INDEX referral_worklist_requester ON referral (requester_id, status, response_due_at, id);
CREATE INDEX referral_worklist_sender ON referral (sending_organisation_id, status, response_due_at, id);
CREATE INDEX referral_worklist_performer ON referral (performer_id, status, response_due_at, id);
CREATE INDEX referral_worklist_receiver ON referral (receiving_organisation_id, status, response_due_at, id);
DROP INDEX referral_by_receiver;
