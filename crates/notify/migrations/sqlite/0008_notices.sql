-- Propaganda orientation notices (định hướng tuyên truyền) to press agencies and commune
-- information points, each recipient with a link of its own (kept as its SHA-256) by which it
-- opens the notice and confirms reading it.
CREATE TABLE notify_outlets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT  NOT NULL UNIQUE,
    -- press (a press agency) or point (a commune information point)
    kind          TEXT  NOT NULL,
    commune_code  TEXT,
    contact       TEXT  NOT NULL,
    created_by    TEXT  NOT NULL,
    created_at    INTEGER  NOT NULL
);
CREATE TABLE notify_notices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      TEXT  NOT NULL UNIQUE,
    title       TEXT  NOT NULL,
    body        TEXT  NOT NULL,
    -- the day by which recipients are asked to confirm, if any
    due         TEXT,
    issued_by   TEXT  NOT NULL,
    issued_at   INTEGER  NOT NULL
);
CREATE TABLE notify_notice_recipients (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id   INTEGER  NOT NULL REFERENCES notify_notices (id),
    outlet_id   INTEGER  NOT NULL REFERENCES notify_outlets (id),
    token_hash  TEXT  NOT NULL UNIQUE,
    opened_at   INTEGER,
    read_at     INTEGER,
    read_by     TEXT,
    UNIQUE (notice_id, outlet_id)
);
