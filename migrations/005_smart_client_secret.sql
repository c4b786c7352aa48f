-- Confidential SMART clients (client-confidential-symmetric): a client with a secret authenticates
-- at the token and introspection endpoints with HTTP Basic; one without is public and uses PKCE alone.
ALTER TABLE smart_client ADD COLUMN client_secret text;
