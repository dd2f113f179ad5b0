-- The operator broadcast request: an approved public alert (or its Cancel) sent as CAP to each
-- operator's configured endpoint over HTTP, retried until acknowledged or given up; the trail
-- (attempts, the operator's acknowledgement, when) kept per operator.
ALTER TABLE notify_alerts ADD COLUMN broadcast INTEGER NOT NULL DEFAULT 0;
CREATE TABLE notify_broadcasts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id    INTEGER  NOT NULL REFERENCES notify_alerts (id),
    operator    TEXT  NOT NULL,
    url         TEXT  NOT NULL,
    -- pending, acknowledged, failed
    state       TEXT  NOT NULL,
    attempts    INTEGER  NOT NULL,
    next_at     INTEGER  NOT NULL,
    last_error  TEXT,
    ack         TEXT,
    queued_at   INTEGER  NOT NULL,
    acked_at    INTEGER,
    UNIQUE (alert_id, operator)
);
CREATE INDEX notify_broadcasts_due ON notify_broadcasts (state, next_at);
