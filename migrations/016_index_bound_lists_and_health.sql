-- Queries that must stay index-bound at any size:
-- a clinician's list (GET /api/referrals) is the union of four index scans, one per way a referral
-- is theirs; the receiving side sees referrals once sent, so its two scans skip drafts in the index.
CREATE INDEX referral_received_by_performer ON referral (performer_id, id) WHERE status <> 'DRAFT';
CREATE INDEX referral_received_by_receiver ON referral (receiving_organisation_id, id) WHERE status <> 'DRAFT';
-- /health's oldest pending change reads the first pending row, not all of them.
CREATE INDEX fhir_outbox_pending_since ON fhir_outbox (pending_since) WHERE change_seq > delivered_seq;
-- /health's last error reads the newest failing row.
CREATE INDEX fhir_outbox_last_error ON fhir_outbox (last_error_at) WHERE last_error IS NOT NULL;
