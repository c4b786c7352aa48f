-- Who a consent grant was given as — the patient themself or an administrator for them — so that
-- answers can say so without naming anyone's login (granted_by keeps the actor, for the audit trail).
ALTER TABLE consent_grant ADD COLUMN granted_as text NOT NULL DEFAULT 'patient'
  CHECK (granted_as IN ('patient', 'administrator'));
UPDATE consent_grant SET granted_as = 'administrator'
 WHERE source = 'api' AND granted_by NOT LIKE 'portal:%' AND granted_by NOT LIKE 'smart:%' AND granted_by <> 'patient';
