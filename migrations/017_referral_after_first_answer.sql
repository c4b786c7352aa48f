-- The referral after its first answer (issue 13): a rejection carries a coded reason, a task records
-- how it ended beyond its status (returned with advice, redirected, forwarded, revoked), a referral
-- completed by a return with advice says so, and each move of a referral to another organisation is
-- kept with the referral as its former receiver last saw it.
ALTER TABLE referral_task ADD COLUMN rejection_code text;
ALTER TABLE referral_task ADD COLUMN outcome text;
ALTER TABLE referral ADD COLUMN outcome text;

CREATE TABLE referral_move (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  referral_id integer NOT NULL REFERENCES referral (id),
  kind text NOT NULL CHECK (kind IN ('REDIRECT', 'FORWARD')),
  from_performer_id text NOT NULL,
  from_organisation_id text NOT NULL,
  from_client_id text NOT NULL,
  to_performer_id text NOT NULL,
  to_organisation_id text NOT NULL,
  to_client_id text NOT NULL,
  reason text NOT NULL,
  moved_by text NOT NULL,
  moved_at timestamptz NOT NULL,
  -- The referral row as the organisation it left saw it last: it sees no later change.
  referral_before jsonb NOT NULL
);
CREATE INDEX referral_move_of_referral ON referral_move (referral_id, id);

-- Worklists find each referral's current (newest) task by this index.
CREATE INDEX referral_task_current ON referral_task (referral_id, id DESC);
