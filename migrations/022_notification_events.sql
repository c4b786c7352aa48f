-- Notifications (issue 14): every change to a referral or an advice request records its event in the
-- change's own statement or transaction, with the organisations (and the side they are on) entitled
-- to it at that moment. A statement that records events wakes every process's listeners. Ids are drawn
-- before commit, so they need not follow commit order; `seq` does: it is given to committed events by
-- one sequencer at a time (under an advisory lock), so a reader that has seen seq N has seen every
-- event below it, and resumes from N without gaps.
CREATE SEQUENCE notification_event_seq;
CREATE TABLE notification_event (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq          bigint UNIQUE,
  type         text NOT NULL,
  subject_type text NOT NULL CHECK (subject_type IN ('Referral', 'AdviceRequest')),
  subject_id   integer NOT NULL,
  occurred_at  timestamptz NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX notification_event_of_subject ON notification_event (subject_type, subject_id, id);
CREATE INDEX notification_event_unsequenced ON notification_event (id) WHERE seq IS NULL;

CREATE TABLE notification_recipient (
  organisation text NOT NULL,
  side         text NOT NULL CHECK (side IN ('referring', 'receiving')),
  event_id     bigint NOT NULL REFERENCES notification_event (id),
  PRIMARY KEY (organisation, side, event_id)
);

CREATE FUNCTION notification_events_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('notification_events', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER notification_events_recorded AFTER INSERT ON notification_event
  FOR EACH STATEMENT EXECUTE FUNCTION notification_events_recorded();
