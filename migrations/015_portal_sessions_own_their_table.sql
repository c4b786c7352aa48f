-- Sessions are the portal's, accounts the directory's. Instead of the directory deleting the portal's
-- sessions when a password is set or an account disabled, an account records from when sign-ins
-- stand (sign_ins_valid_from), each session when it began, and the portal asks the directory whether
-- a session's sign-in still stands.
ALTER TABLE patient_account ADD COLUMN sign_ins_valid_from timestamptz;
ALTER TABLE portal_session ADD COLUMN started_at timestamptz;
UPDATE portal_session SET started_at = expires_at - interval '8 hours';
ALTER TABLE portal_session ALTER COLUMN started_at SET NOT NULL;
