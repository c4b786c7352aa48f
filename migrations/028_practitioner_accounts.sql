-- Clinicians sign in (issue 15): a practitioner of the directory may have a password, checked by the
-- service's own OpenID Connect server when the clinician web app signs them in. The username is the
-- practitioner's directory id; only an active practitioner signs in.
CREATE TABLE practitioner_account (
  practitioner_id text PRIMARY KEY REFERENCES practitioner (id),
  password_hash   text NOT NULL
);
