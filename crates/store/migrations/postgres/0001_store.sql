-- The store's own tables: job queue, blob index, audit log.
CREATE TABLE jobs (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
    attempts      BIGINT  NOT NULL DEFAULT 0,
    max_attempts  BIGINT  NOT NULL,
    run_at        BIGINT  NOT NULL,
    lease_until   BIGINT,
    worker        TEXT,
    last_error    TEXT,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_at);

CREATE TABLE blobs (
    sha256      TEXT    PRIMARY KEY,
    size        BIGINT  NOT NULL,
    media_type  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE audit_log (
    seq         BIGINT  PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);

CREATE TABLE audit_head (
    id    BIGINT  PRIMARY KEY CHECK (id = 1),
    seq   BIGINT  NOT NULL,
    hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
