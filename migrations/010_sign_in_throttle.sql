-- Password sign-in throttling, shared by every process: failures per account and per address in a
-- window, and the time until which further attempts are refused.
CREATE TABLE sign_in_throttle (
  key              text PRIMARY KEY,
  failures         integer NOT NULL,
  window_started   timestamptz NOT NULL,
  locked_until     timestamptz
);
