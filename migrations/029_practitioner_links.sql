-- Practitioners enrol and reset their password through one-time links, as patients do (issue 15):
-- an administrator invites a practitioner (an account without a password yet), and each link names
-- either a patient's account or a practitioner's, never both.
ALTER TABLE practitioner_account ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE account_link ALTER COLUMN username DROP NOT NULL;
ALTER TABLE account_link ADD COLUMN practitioner_id text REFERENCES practitioner_account (practitioner_id);
ALTER TABLE account_link ADD CONSTRAINT account_link_names_one_account CHECK ((username IS NULL) <> (practitioner_id IS NULL));
CREATE INDEX account_link_by_practitioner ON account_link (practitioner_id);
