-- A replay moves an endpoint's cursor while a worker's turn at it may be in flight; the turn then
-- must not write its own cursor over the replayed one. Each replay counts here, and a turn's outcome
-- is kept only while the count is what it was when the turn claimed the endpoint.
ALTER TABLE webhook_endpoint ADD COLUMN replays integer NOT NULL DEFAULT 0;
