-- The consent portal: the facility apps (SMART clients) patients grant access to, patients' sign-in
-- accounts (scrypt password hashes), and portal sessions (only a hash of each session id is kept).

CREATE TABLE smart_client (
  client_id                 text PRIMARY KEY,
  name                      text NOT NULL,
  organization_id           text NOT NULL,
  redirect_uris             text[] NOT NULL DEFAULT '{}',
  public_client             boolean NOT NULL DEFAULT true,
  requested_resource_types  text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE patient_account (
  username       text PRIMARY KEY,
  patient_id     text NOT NULL,
  password_hash  text NOT NULL
);

CREATE TABLE portal_session (
  id_hash     text PRIMARY KEY,
  username    text NOT NULL REFERENCES patient_account (username),
  patient_id  text NOT NULL,
  csrf_token  text NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX portal_session_by_expiry ON portal_session (expires_at);
