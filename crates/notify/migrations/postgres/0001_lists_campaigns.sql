-- Recipient lists, ported numbers, opt-outs and SMS campaigns.
CREATE TABLE notify_lists (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT     NOT NULL UNIQUE,
    file_name        TEXT     NOT NULL,
    rows             BIGINT   NOT NULL,
    recipients       BIGINT   NOT NULL,
    duplicates       BIGINT   NOT NULL,
    refused_json     TEXT     NOT NULL,
    by_operator_json TEXT     NOT NULL,
    created_by       TEXT     NOT NULL,
    created_at       BIGINT   NOT NULL
);

CREATE TABLE notify_recipients (
    list_id       BIGINT   NOT NULL REFERENCES notify_lists (id),
    phone         TEXT     NOT NULL,
    operator      TEXT     NOT NULL,
    ported        BIGINT   NOT NULL,
    commune_code  TEXT,
    name          TEXT,
    PRIMARY KEY (list_id, phone)
);
CREATE INDEX notify_recipients_commune ON notify_recipients (list_id, commune_code);

-- Numbers that moved to another operator (number portability): routed by this, not by prefix.
CREATE TABLE notify_ported (
    phone        TEXT     PRIMARY KEY,
    operator     TEXT     NOT NULL,
    imported_at  BIGINT   NOT NULL
);

-- Citizens who asked not to receive non-emergency messages (a reply, the API, the national
-- Do-Not-Call list).
CREATE TABLE notify_optouts (
    phone       TEXT     PRIMARY KEY,
    source      TEXT     NOT NULL,
    created_by  TEXT     NOT NULL,
    created_at  BIGINT   NOT NULL
);

CREATE TABLE notify_campaigns (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT     NOT NULL UNIQUE,
    topic          TEXT     NOT NULL,
    brandname      TEXT     NOT NULL,
    body           TEXT     NOT NULL,
    list_id        BIGINT   NOT NULL REFERENCES notify_lists (id),
    communes_json  TEXT     NOT NULL,
    emergency      BIGINT   NOT NULL,
    -- Whether parts left uncertain by a crash or a lost connection are sent again.
    resend_uncertain BIGINT   NOT NULL,
    status         TEXT     NOT NULL CHECK (status IN ('draft', 'pending', 'sending', 'sent', 'cancelled')),
    created_by     TEXT     NOT NULL,
    created_at     BIGINT   NOT NULL,
    updated_at     BIGINT   NOT NULL,
    submitted_at   BIGINT,
    decided_by     TEXT,
    decided_at     BIGINT,
    decision_note  TEXT,
    -- When its messages were queued (approval) and when the last left the queue.
    started_at     BIGINT,
    finished_at    BIGINT
);
CREATE INDEX notify_campaigns_status ON notify_campaigns (status, id);
