-- Each organisation's events, found by their delivery position (issue 14's performance): a recipient
-- row carries its event's `seq`, given by the sequencer with the event's, so a reader after seq N
-- (a webhook endpoint, a FHIR Subscription, an SSE stream) reads an index range of its organisation's
-- events, however long the history before N or however busy other organisations are. Before, it
-- scanned every event of its organisation (or every event after N) at each look.
ALTER TABLE notification_recipient ADD COLUMN seq bigint;
UPDATE notification_recipient AS recipient SET seq = event.seq FROM notification_event AS event WHERE event.id = recipient.event_id;
CREATE INDEX notification_recipient_after ON notification_recipient (organisation, seq);
CREATE INDEX notification_recipient_unsequenced ON notification_recipient (event_id) WHERE seq IS NULL;
