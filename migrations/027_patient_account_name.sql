-- The patient's name as the portal and the SMART sign-in greet them (issue 15: patient pages in plain
-- language), given when an administrator invites them. Accounts invited before have none: they are
-- greeted by username.
ALTER TABLE patient_account ADD COLUMN name text;
