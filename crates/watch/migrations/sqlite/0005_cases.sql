-- Enforcement cases: a subject's suspected violation in one category, moved through the states
-- of data/watch/cases.toml. A case keeps every step it took (who, when, why) in its events;
-- while it is open no second case on the same subject and category may be opened.
CREATE TABLE watch_cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id   INTEGER  NOT NULL REFERENCES watch_subjects (id),
    category     TEXT  NOT NULL CHECK (category IN ('bao_hoa', 'advertising', 'harmful')),
    title        TEXT  NOT NULL,
    state        TEXT  NOT NULL,
    -- 1 until the case reaches a closed state.
    open         INTEGER  NOT NULL,
    opened_by    TEXT  NOT NULL,
    opened_at    INTEGER  NOT NULL,
    state_since  INTEGER  NOT NULL,
    -- When the case is overdue in its state (none for closed states and states without a limit).
    due_at       INTEGER,
    updated_at   INTEGER  NOT NULL
);
CREATE UNIQUE INDEX watch_cases_one_open ON watch_cases (subject_id, category) WHERE open = 1;
CREATE INDEX watch_cases_state ON watch_cases (state, id);
CREATE INDEX watch_cases_due ON watch_cases (due_at) WHERE open = 1;

CREATE TABLE watch_case_findings (
    case_id     INTEGER  NOT NULL REFERENCES watch_cases (id),
    finding_id  INTEGER  NOT NULL REFERENCES watch_findings (id),
    PRIMARY KEY (case_id, finding_id)
);

CREATE TABLE watch_case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER  NOT NULL REFERENCES watch_cases (id),
    -- NULL for the opening.
    from_state  TEXT,
    to_state    TEXT  NOT NULL,
    actor       TEXT  NOT NULL,
    at          INTEGER  NOT NULL,
    note        TEXT  NOT NULL
);
CREATE INDEX watch_case_events_case ON watch_case_events (case_id, id);
