-- The consent portal's forms are protected by @fastify/csrf-protection (a secret in a cookie, a
-- token derived from it in each form); sessions no longer carry a CSRF token of their own.
ALTER TABLE portal_session DROP COLUMN csrf_token;
