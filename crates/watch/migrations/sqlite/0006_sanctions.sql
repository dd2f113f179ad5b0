-- The Inspectorate's decisions: one per sanctioned case, with its legal basis and fine, and
-- the subject's managing unit at the time (so a unit's history of violations can be read).
CREATE TABLE watch_sanctions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        INTEGER  NOT NULL UNIQUE REFERENCES watch_cases (id),
    subject_id     INTEGER  NOT NULL REFERENCES watch_subjects (id),
    unit_id        INTEGER,
    decision_no    TEXT  NOT NULL CHECK (decision_no <> ''),
    -- YYYY-MM-DD
    decision_date  TEXT  NOT NULL,
    decree         TEXT  NOT NULL,
    article        TEXT  NOT NULL,
    clause         TEXT  NOT NULL,
    fine_vnd       INTEGER  NOT NULL CHECK (fine_vnd >= 0),
    remedies       TEXT  NOT NULL,
    recorded_by    TEXT  NOT NULL,
    recorded_at    INTEGER  NOT NULL
);
CREATE INDEX watch_sanctions_unit ON watch_sanctions (unit_id, decision_date);
