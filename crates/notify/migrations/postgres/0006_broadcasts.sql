-- The operator broadcast request: an approved public alert (or its Cancel) sent as CAP to each
-- operator's configured endpoint over HTTP, retried until acknowledged or given up; the trail
-- (attempts, the operator's acknowledgement, when) kept per operator.
ALTER TABLE notify_alerts ADD COLUMN broadcast BIGINT NOT NULL DEFAULT 0;
CREATE TABLE notify_broadcasts (
    id          BIGSERIAL PRIMARY KEY,
    alert_id    BIGINT  NOT NULL REFERENCES notify_alerts (id),
    operator    TEXT  NOT NULL,
    url         TEXT  NOT NULL,
    -- pending, acknowledged, failed
    state       TEXT  NOT NULL,
    attempts    BIGINT  NOT NULL,
    next_at     BIGINT  NOT NULL,
    last_error  TEXT,
    ack         TEXT,
    queued_at   BIGINT  NOT NULL,
    acked_at    BIGINT,
    UNIQUE (alert_id, operator)
);
CREATE INDEX notify_broadcasts_due ON notify_broadcasts (state, next_at);
