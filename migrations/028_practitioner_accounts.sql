-- Clinicians sign in (issue 15): a practitioner of the directory may have a password, checked by the
-- service's own OpenID Connect server when the clinician web app signs them in. The username is the
-- practitioner's directory id. A sign-in stands while the practitioner is active and the password has
-- not been set since.
CREATE TABLE practitioner_account (
  practitioner_id     text PRIMARY KEY REFERENCES practitioner (id),
  password_hash       text NOT NULL,
  sign_ins_valid_from timestamptz NOT NULL
);
