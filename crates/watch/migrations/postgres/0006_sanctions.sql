-- The Inspectorate's decisions: one per sanctioned case, with its legal basis and fine, and
-- the subject's managing unit at the time (so a unit's history of violations can be read).
CREATE TABLE watch_sanctions (
    id             BIGSERIAL PRIMARY KEY,
    case_id        BIGINT  NOT NULL UNIQUE REFERENCES watch_cases (id),
    subject_id     BIGINT  NOT NULL REFERENCES watch_subjects (id),
    unit_id        BIGINT,
    decision_no    TEXT  NOT NULL CHECK (decision_no <> ''),
    -- YYYY-MM-DD
    decision_date  TEXT  NOT NULL,
    decree         TEXT  NOT NULL,
    article        TEXT  NOT NULL,
    clause         TEXT  NOT NULL,
    fine_vnd       BIGINT  NOT NULL CHECK (fine_vnd >= 0),
    remedies       TEXT  NOT NULL,
    recorded_by    TEXT  NOT NULL,
    recorded_at    BIGINT  NOT NULL
);
CREATE INDEX watch_sanctions_unit ON watch_sanctions (unit_id, decision_date);
