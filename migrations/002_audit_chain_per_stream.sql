-- One hash chain per stream instead of one for the whole table: a referral's events form one
-- chain, a patient's consent changes another. Appends to different streams no longer queue behind
-- a single head row, so commits of unrelated referrals proceed in parallel.
-- Existing events become the stream 'global' with their position unchanged, so their hashes hold.

ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only;
ALTER TABLE audit_event ADD COLUMN chain text NOT NULL DEFAULT 'global';
ALTER TABLE audit_event ADD COLUMN chain_seq bigint;
UPDATE audit_event SET chain_seq = seq;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only;
ALTER TABLE audit_event ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE audit_event ALTER COLUMN chain_seq SET NOT NULL;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_chain_position UNIQUE (chain, chain_seq);

-- seq stays the global order of recording, now drawn from a sequence.
CREATE SEQUENCE audit_event_seq_seq OWNED BY audit_event.seq;
SELECT setval('audit_event_seq_seq', coalesce((SELECT max(seq) FROM audit_event), 0) + 1, false);
ALTER TABLE audit_event ALTER COLUMN seq SET DEFAULT nextval('audit_event_seq_seq');

-- The head of each chain, locked by each append to that chain so it never forks.
CREATE TABLE audit_chain_head (
  chain      text PRIMARY KEY,
  last_seq   bigint NOT NULL,
  last_hash  text NOT NULL
);
INSERT INTO audit_chain_head (chain, last_seq, last_hash)
  SELECT 'global', last_seq, last_hash FROM audit_chain WHERE last_seq > 0;
DROP TABLE audit_chain;
ALTER TABLE audit_chain_head RENAME TO audit_chain;
