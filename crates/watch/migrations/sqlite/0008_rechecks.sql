-- Re-checks: when a managing unit commits to fix by a date, the subject is crawled again then;
-- the signs found before and after are kept side by side, and a case whose signs remain is
-- reopened.
CREATE TABLE watch_rechecks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       INTEGER  NOT NULL REFERENCES watch_cases (id),
    subject_id    INTEGER  NOT NULL REFERENCES watch_subjects (id),
    -- the committed date, YYYY-MM-DD, and its first instant in Hà Nội (µs)
    due_on        TEXT  NOT NULL,
    due_at        INTEGER  NOT NULL,
    -- scheduled, crawling, done, failed
    status        TEXT  NOT NULL,
    crawl_id      INTEGER,
    -- JSON: the case's category's signs, rule id → pages, before and after
    before_signs  TEXT  NOT NULL,
    after_signs   TEXT,
    -- cleared or remains, when done
    outcome       TEXT,
    message       TEXT,
    scheduled_by  TEXT  NOT NULL,
    scheduled_at  INTEGER  NOT NULL,
    done_at       INTEGER
);
CREATE INDEX watch_rechecks_due ON watch_rechecks (status, due_at);
CREATE INDEX watch_rechecks_case ON watch_rechecks (case_id);
