-- The department's reports: one per period and cut-off rule, its state (draft, review,
-- approved), its version (reopened after approval: the next), and once approved the figures it
-- was approved with, kept as they were.
CREATE TABLE reports_reports (
    id            BIGSERIAL PRIMARY KEY,
    frequency     TEXT  NOT NULL,
    year          BIGINT  NOT NULL,
    n             BIGINT  NOT NULL,
    cutoff        TEXT  NOT NULL,
    label         TEXT  NOT NULL,
    from_day      TEXT  NOT NULL,
    to_day        TEXT  NOT NULL,
    state         TEXT  NOT NULL,
    version       BIGINT  NOT NULL,
    created_by    TEXT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    submitted_by  TEXT,
    approved_by   TEXT,
    approved_at   BIGINT,
    snapshot_json TEXT,
    UNIQUE (frequency, year, n, cutoff)
);
-- Texts officers write, per section; every save a new version of it.
CREATE TABLE reports_texts (
    id          BIGSERIAL PRIMARY KEY,
    report_id   BIGINT  NOT NULL REFERENCES reports_reports (id),
    section     TEXT  NOT NULL,
    version     BIGINT  NOT NULL,
    body        TEXT  NOT NULL,
    written_by  TEXT  NOT NULL,
    written_at  BIGINT  NOT NULL,
    UNIQUE (report_id, section, version)
);
-- What the plan set for a figure in the period.
CREATE TABLE reports_targets (
    report_id  BIGINT  NOT NULL REFERENCES reports_reports (id),
    figure     TEXT  NOT NULL,
    target     DOUBLE PRECISION  NOT NULL,
    PRIMARY KEY (report_id, figure)
);
