-- The directory: who is who. Organisations (with an optional parent, for departments and units),
-- practitioners and their roles at organisations, the administrators of this instance, and the
-- states of patient accounts with their one-time enrolment and reset links. Facility SMART apps stay
-- in smart_client, now each bound to one directory organisation and able to be deactivated.
-- Records others refer to are deactivated, never deleted.

CREATE TABLE organization (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  parent_id    text REFERENCES organization (id),
  identifiers  jsonb NOT NULL DEFAULT '[]',
  updated_at   timestamptz NOT NULL,
  CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX organization_by_parent ON organization (parent_id);

CREATE TABLE practitioner (
  id           text PRIMARY KEY,
  name         text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  identifiers  jsonb NOT NULL DEFAULT '[]',
  updated_at   timestamptz NOT NULL
);

CREATE TABLE practitioner_role (
  id               text PRIMARY KEY,
  practitioner_id  text NOT NULL REFERENCES practitioner (id),
  organization_id  text NOT NULL REFERENCES organization (id),
  role             text NOT NULL CHECK (role IN ('referrer', 'receiver', 'admin')),
  active           boolean NOT NULL DEFAULT true,
  updated_at       timestamptz NOT NULL,
  UNIQUE (practitioner_id, organization_id, role)
);
CREATE INDEX practitioner_role_by_organization ON practitioner_role (organization_id);

CREATE TABLE administrator (
  username    text PRIMARY KEY,
  name        text NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL
);

ALTER TABLE smart_client ADD COLUMN active boolean NOT NULL DEFAULT true;
CREATE INDEX smart_client_by_organization ON smart_client (organization_id);

-- An invited account has no password until the patient sets one through their enrolment link.
ALTER TABLE patient_account ADD COLUMN state text NOT NULL DEFAULT 'active'
  CHECK (state IN ('invited', 'active', 'disabled'));
ALTER TABLE patient_account ALTER COLUMN password_hash DROP NOT NULL;
CREATE INDEX patient_account_by_patient ON patient_account (patient_id);

-- One-time links: only a hash of each link's token is kept; a used or expired link opens nothing.
CREATE TABLE account_link (
  token_hash  text PRIMARY KEY,
  username    text NOT NULL REFERENCES patient_account (username),
  purpose     text NOT NULL CHECK (purpose IN ('enrol', 'reset')),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX account_link_by_username ON account_link (username);
