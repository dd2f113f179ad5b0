-- The send queue: one row per recipient of a campaign (or of its test send), one row per part
-- once it enters an SMPP window. A part's row is written, in state 'window', before its
-- submit_sm goes out; after a crash every part still in 'window' is marked 'uncertain', and a
-- part without a row has never been sent.
CREATE TABLE notify_messages (
    id            BIGSERIAL PRIMARY KEY,
    campaign_id   BIGINT   NOT NULL REFERENCES notify_campaigns (id),
    -- 1: a test send to a test list, before approval.
    test          BIGINT   NOT NULL,
    phone         TEXT     NOT NULL,
    operator      TEXT     NOT NULL,
    commune_code  TEXT,
    -- The rendered text when the campaign's body has fields; NULL: the body as it is.
    text          TEXT,
    parts         BIGINT   NOT NULL,
    state         TEXT     NOT NULL CHECK (state IN ('queued', 'sending', 'submitted', 'delivered', 'failed', 'uncertain', 'cancelled', 'skipped')),
    reason        TEXT,
    -- The dispatcher holding it while its parts are in a window, and until when.
    owner         TEXT,
    lease_until   BIGINT,
    sent_at       BIGINT,
    updated_at    BIGINT   NOT NULL,
    UNIQUE (campaign_id, test, phone)
);
CREATE INDEX notify_messages_queue ON notify_messages (state, operator, id);
CREATE INDEX notify_messages_campaign ON notify_messages (campaign_id, state);
CREATE INDEX notify_messages_phone ON notify_messages (phone, sent_at);

CREATE TABLE notify_parts (
    message_id  BIGINT   NOT NULL REFERENCES notify_messages (id),
    part        BIGINT   NOT NULL,
    state       TEXT     NOT NULL CHECK (state IN ('window', 'retry', 'accepted', 'delivered', 'undeliverable', 'expired', 'failed', 'uncertain')),
    smsc        TEXT     NOT NULL,
    smsc_id     TEXT,
    error       TEXT,
    attempts    BIGINT   NOT NULL,
    updated_at  BIGINT   NOT NULL,
    PRIMARY KEY (message_id, part)
);
CREATE INDEX notify_parts_smsc_id ON notify_parts (smsc, smsc_id);

-- Receipts naming a message id no part carries (yet): matched again later.
CREATE TABLE notify_receipts_unmatched (
    smsc         TEXT     NOT NULL,
    smsc_id      TEXT     NOT NULL,
    outcome      TEXT     NOT NULL,
    received_at  BIGINT   NOT NULL,
    PRIMARY KEY (smsc, smsc_id)
);

-- Each SMPP bind's last known state, for the console.
CREATE TABLE notify_binds (
    name        TEXT     PRIMARY KEY,
    smsc        TEXT     NOT NULL,
    owner       TEXT     NOT NULL,
    state       TEXT     NOT NULL,
    detail      TEXT     NOT NULL,
    tps         BIGINT   NOT NULL,
    win         BIGINT   NOT NULL,
    updated_at  BIGINT   NOT NULL
);
