-- Consent withdrawn (issue 14): a sent referral's parties are told when the patient's consent for a
-- type the referral shares with its receiving app ends (revoked, or its period over), and told again
-- when it is back. `consent_lost` keeps the types they were last told are missing, so a change is
-- told once however often it is looked at. The consent side finds what changed in a window of time
-- (a grant made, revoked, starting or ending); the referral side looks at each window once, after
-- `consent_watch.checked_until`. Changes before this version are not told.
ALTER TABLE referral ADD COLUMN consent_lost jsonb NOT NULL DEFAULT '[]';

CREATE INDEX consent_grant_created ON consent_grant (created_at);
CREATE INDEX consent_grant_revoked ON consent_grant (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX consent_grant_starts ON consent_grant (period_start) WHERE period_start IS NOT NULL;
CREATE INDEX consent_grant_ends ON consent_grant (period_end) WHERE period_end IS NOT NULL;
CREATE INDEX referral_open_by_patient_app ON referral (patient_id, receiving_facility_client_id) WHERE status IN ('ACTIVE', 'ON_HOLD');

CREATE TABLE consent_watch (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  checked_until timestamptz NOT NULL
);
INSERT INTO consent_watch (checked_until) VALUES (now());
