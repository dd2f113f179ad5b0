-- Each task carries its latest report's status, percent and day, and whether it recurs every
-- year, so that completion and overdue by unit are one grouped query however many tasks a plan
-- has (the reports stay in plans_reports; these are written in the same transaction).
ALTER TABLE plans_tasks ADD COLUMN yearly BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans_tasks ADD COLUMN latest_status TEXT;
ALTER TABLE plans_tasks ADD COLUMN latest_percent BIGINT;
-- YYYY-MM-DD (Hà Nội)
ALTER TABLE plans_tasks ADD COLUMN last_report_on TEXT;
-- the steering committee member answerable for the task
ALTER TABLE plans_tasks ADD COLUMN member_id BIGINT;
UPDATE plans_tasks SET yearly = 1 WHERE period LIKE '%"yearly"%';
-- The dashboard's grouped count reads only this index; the task pages walk the second.
CREATE INDEX plans_tasks_dashboard ON plans_tasks
    (plan_id, lead_unit_id, member_id, section, yearly, due_on, latest_status, last_report_on);
CREATE INDEX plans_tasks_order ON plans_tasks (plan_id, position, id);

-- The steering committee (Ban chỉ đạo): its members, their positions and the fields each holds.
CREATE TABLE plans_members (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT  NOT NULL,
    position    TEXT  NOT NULL,
    -- head, deputy, member
    role        TEXT  NOT NULL,
    unit_id     BIGINT,
    -- JSON list of the fields assigned
    fields      TEXT  NOT NULL,
    phone       TEXT  NOT NULL,
    active      BIGINT  NOT NULL,
    UNIQUE (name, position)
);

-- DTI self-assessment: a score per component of a year's framework, with its evidence, and the
-- ministry's published result per year.
CREATE TABLE plans_dti_scores (
    year        BIGINT  NOT NULL,
    component   TEXT  NOT NULL,
    score       DOUBLE PRECISION  NOT NULL,
    evidence    TEXT  NOT NULL,
    entered_by  TEXT  NOT NULL,
    entered_at  BIGINT  NOT NULL,
    PRIMARY KEY (year, component)
);

CREATE TABLE plans_dti_results (
    year        BIGINT PRIMARY KEY,
    rank        BIGINT  NOT NULL,
    of_count    BIGINT  NOT NULL,
    index_value DOUBLE PRECISION,
    source      TEXT  NOT NULL,
    entered_by  TEXT  NOT NULL,
    entered_at  BIGINT  NOT NULL
);
