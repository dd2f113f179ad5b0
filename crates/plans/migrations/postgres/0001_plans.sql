-- Plans and their tasks. A task's code is its place in the plan's appendix ("I", "I.1",
-- "I.1.2"): sections are tasks without a lead. Deadlines are kept as written and as a typed
-- period (JSON) with the day they fall due.
CREATE TABLE plans_plans (
    id          BIGSERIAL PRIMARY KEY,
    number      TEXT  NOT NULL UNIQUE,
    -- YYYY-MM-DD
    issued_on   TEXT  NOT NULL,
    issuer      TEXT  NOT NULL,
    title       TEXT  NOT NULL,
    from_year   BIGINT  NOT NULL,
    to_year     BIGINT  NOT NULL CHECK (to_year >= from_year),
    implements  TEXT  NOT NULL,
    created_by  TEXT  NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE plans_tasks (
    id            BIGSERIAL PRIMARY KEY,
    plan_id       BIGINT  NOT NULL REFERENCES plans_plans (id),
    code          TEXT  NOT NULL,
    parent_code   TEXT,
    section       BIGINT  NOT NULL,
    position      BIGINT  NOT NULL,
    title         TEXT  NOT NULL,
    lead_unit_id  BIGINT,
    -- JSON: the cooperating units found in the registry (ids) and the rest as written
    cooperating   TEXT  NOT NULL,
    deadline      TEXT  NOT NULL,
    period        TEXT,
    -- YYYY-MM-DD
    due_on        TEXT,
    product       TEXT  NOT NULL,
    updated_by    TEXT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    UNIQUE (plan_id, code)
);
CREATE INDEX plans_tasks_lead ON plans_tasks (lead_unit_id, due_on);
