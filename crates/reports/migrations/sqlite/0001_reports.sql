-- The department's reports: one per period and cut-off rule, its state (draft, review,
-- approved), its version (reopened after approval: the next), and once approved the figures it
-- was approved with, kept as they were.
CREATE TABLE reports_reports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    frequency     TEXT  NOT NULL,
    year          INTEGER  NOT NULL,
    n             INTEGER  NOT NULL,
    cutoff        TEXT  NOT NULL,
    label         TEXT  NOT NULL,
    from_day      TEXT  NOT NULL,
    to_day        TEXT  NOT NULL,
    state         TEXT  NOT NULL,
    version       INTEGER  NOT NULL,
    created_by    TEXT  NOT NULL,
    created_at    INTEGER  NOT NULL,
    submitted_by  TEXT,
    approved_by   TEXT,
    approved_at   INTEGER,
    snapshot_json TEXT,
    UNIQUE (frequency, year, n, cutoff)
);
-- Texts officers write, per section; every save a new version of it.
CREATE TABLE reports_texts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   INTEGER  NOT NULL REFERENCES reports_reports (id),
    section     TEXT  NOT NULL,
    version     INTEGER  NOT NULL,
    body        TEXT  NOT NULL,
    written_by  TEXT  NOT NULL,
    written_at  INTEGER  NOT NULL,
    UNIQUE (report_id, section, version)
);
-- What the plan set for a figure in the period.
CREATE TABLE reports_targets (
    report_id  INTEGER  NOT NULL REFERENCES reports_reports (id),
    figure     TEXT  NOT NULL,
    target     REAL  NOT NULL,
    PRIMARY KEY (report_id, figure)
);
