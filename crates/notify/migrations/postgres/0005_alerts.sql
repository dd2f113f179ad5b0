-- Public alerts in CAP 1.2: each kept as the XML it was sent or received as, with the fields
-- the console and the feed list by. An Update or Cancel names the alert it refers to.
CREATE TABLE notify_alerts (
    id           BIGSERIAL PRIMARY KEY,
    identifier   TEXT  NOT NULL,
    sender       TEXT  NOT NULL,
    -- CAP's sent, as written (with its offset), and as µs for ordering
    sent         TEXT  NOT NULL,
    sent_at      BIGINT  NOT NULL,
    status       TEXT  NOT NULL,
    msg_type     TEXT  NOT NULL,
    scope        TEXT  NOT NULL,
    headline     TEXT  NOT NULL,
    event        TEXT  NOT NULL,
    -- 1 when an actual, public, approved alert: only these reach the feed and public pages
    public       BIGINT  NOT NULL,
    -- local (written here) or imported (received from another agency)
    origin       TEXT  NOT NULL,
    refers_to    BIGINT  REFERENCES notify_alerts (id),
    -- set when a Cancel referring to it was issued or received
    cancelled_by BIGINT  REFERENCES notify_alerts (id),
    -- pending (an actual alert waiting for a second person), approved, or refused
    state        TEXT  NOT NULL,
    approved_by  TEXT,
    approved_at  BIGINT,
    xml          TEXT  NOT NULL,
    created_by   TEXT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    UNIQUE (sender, identifier)
);
CREATE INDEX notify_alerts_public ON notify_alerts (public, sent_at);
