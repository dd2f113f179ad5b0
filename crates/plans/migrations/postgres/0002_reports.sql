-- Progress reports on tasks: what the lead unit says of its task, when, by whom.
CREATE TABLE plans_reports (
    id            BIGSERIAL PRIMARY KEY,
    task_id       BIGINT  NOT NULL REFERENCES plans_tasks (id),
    unit_id       BIGINT,
    -- not_started, in_progress, blocked, done
    status        TEXT  NOT NULL,
    percent       BIGINT  NOT NULL CHECK (percent BETWEEN 0 AND 100),
    body          TEXT  NOT NULL,
    evidence      TEXT  NOT NULL,
    submitted_by  TEXT  NOT NULL,
    submitted_at  BIGINT  NOT NULL
);
CREATE INDEX plans_reports_task ON plans_reports (task_id, submitted_at);
