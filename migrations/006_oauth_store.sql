-- The SMART authorization server's state — sessions, interactions, authorization codes, grants,
-- access and refresh tokens — kept in the database so that it survives restarts and any process can
-- serve /oauth. Rows past their TTL are ignored, and purged now and then by the writers.
CREATE TABLE oauth_payload (
  model       text NOT NULL,
  id          text NOT NULL,
  payload     jsonb NOT NULL,
  grant_id    text,
  uid         text,
  user_code   text,
  expires_at  timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oauth_payload_by_grant ON oauth_payload (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_payload_by_uid ON oauth_payload (uid) WHERE uid IS NOT NULL;
CREATE INDEX oauth_payload_grants ON oauth_payload ((payload->>'accountId'), (payload->>'clientId')) WHERE model = 'Grant';
