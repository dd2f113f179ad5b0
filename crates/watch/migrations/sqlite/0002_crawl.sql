-- Crawls, captured pages, findings and scores.
-- A crawl is one pass over one subject; it is queued, run by a worker of role "crawl", and
-- counts its pages as it goes (the console shows them live).
CREATE TABLE watch_crawls (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id       INTEGER  NOT NULL REFERENCES watch_subjects (id),
    status           TEXT  NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    requested_by     TEXT  NOT NULL,
    queued_at        INTEGER  NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    pages_ok         INTEGER  NOT NULL DEFAULT 0,
    pages_unchanged  INTEGER  NOT NULL DEFAULT 0,
    pages_failed     INTEGER  NOT NULL DEFAULT 0,
    bytes            INTEGER  NOT NULL DEFAULT 0,
    findings         INTEGER  NOT NULL DEFAULT 0,
    message          TEXT
);
CREATE INDEX watch_crawls_subject ON watch_crawls (subject_id, id);
CREATE INDEX watch_crawls_status ON watch_crawls (status, id);

-- One row per address tried in a crawl. A fetched response is a WARC record in the blob
-- store (warc_sha256); a page not fetched says why (failure, failure_message). A page that
-- answered 304 Not Modified points at the earlier capture.
CREATE TABLE watch_pages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    crawl_id         INTEGER  NOT NULL REFERENCES watch_crawls (id),
    subject_id       INTEGER  NOT NULL REFERENCES watch_subjects (id),
    url              TEXT  NOT NULL,
    depth            INTEGER  NOT NULL,
    fetched_at       INTEGER  NOT NULL,
    http_status      INTEGER,
    final_url        TEXT,
    content_type     TEXT,
    charset          TEXT,
    bytes            INTEGER,
    truncated        INTEGER  NOT NULL DEFAULT 0,
    unchanged        INTEGER  NOT NULL DEFAULT 0,
    warc_sha256      TEXT,
    etag             TEXT,
    last_modified    TEXT,
    failure          TEXT,
    failure_message  TEXT,
    title            TEXT,
    published_at     INTEGER,
    main_text        TEXT,
    sketch           TEXT
);
CREATE INDEX watch_pages_crawl ON watch_pages (crawl_id, id);
CREATE INDEX watch_pages_subject_url ON watch_pages (subject_id, url, id);

-- What the signals found. One row per subject, rule and address: a re-crawl refreshes an
-- open finding's evidence and capture, and never undoes a reviewer's decision.
CREATE TABLE watch_findings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id       INTEGER  NOT NULL REFERENCES watch_subjects (id),
    rule_id          TEXT  NOT NULL,
    category         TEXT  NOT NULL CHECK (category IN ('bao_hoa', 'advertising', 'harmful')),
    clause           TEXT  NOT NULL,
    weight           REAL  NOT NULL,
    url              TEXT  NOT NULL,
    evidence         TEXT  NOT NULL,
    page_id          INTEGER  NOT NULL REFERENCES watch_pages (id),
    first_crawl_id   INTEGER  NOT NULL,
    last_crawl_id    INTEGER  NOT NULL,
    found_at         INTEGER  NOT NULL,
    status           TEXT  NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
    reviewed_by      TEXT,
    reviewed_at      INTEGER,
    review_note      TEXT,
    UNIQUE (subject_id, rule_id, url)
);
CREATE INDEX watch_findings_status ON watch_findings (status, id);
CREATE INDEX watch_findings_subject ON watch_findings (subject_id, last_crawl_id);

-- Each subject's latest score per category, with the rules behind it (JSON).
CREATE TABLE watch_scores (
    subject_id   INTEGER  NOT NULL REFERENCES watch_subjects (id),
    category     TEXT  NOT NULL,
    crawl_id     INTEGER  NOT NULL,
    score        REAL  NOT NULL,
    because      TEXT  NOT NULL,
    computed_at  INTEGER  NOT NULL,
    PRIMARY KEY (subject_id, category)
);
