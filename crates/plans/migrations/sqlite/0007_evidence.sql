-- Evidence files sent with progress reports (a decision, minutes, a screenshot), kept in the
-- blob store by their SHA-256.
CREATE TABLE plans_evidence (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   INTEGER  NOT NULL REFERENCES plans_reports (id),
    task_id     INTEGER  NOT NULL REFERENCES plans_tasks (id),
    name        TEXT  NOT NULL,
    sha256      TEXT  NOT NULL,
    media_type  TEXT  NOT NULL,
    size        INTEGER  NOT NULL
);
CREATE INDEX plans_evidence_task ON plans_evidence (task_id);
