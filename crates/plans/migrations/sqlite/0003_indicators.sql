-- A plan's indicators: each with its unit of measure and pillar, its baseline, a target per
-- year, and actuals recorded per period with their source and evidence.
CREATE TABLE plans_indicators (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER  NOT NULL REFERENCES plans_plans (id),
    code        TEXT  NOT NULL,
    name        TEXT  NOT NULL,
    measure     TEXT  NOT NULL,
    pillar      TEXT  NOT NULL,
    baseline    REAL,
    -- higher (the more the better) or lower
    direction   TEXT  NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE plans_targets (
    indicator_id  INTEGER  NOT NULL REFERENCES plans_indicators (id),
    year          INTEGER  NOT NULL,
    value         REAL  NOT NULL,
    PRIMARY KEY (indicator_id, year)
);

CREATE TABLE plans_actuals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id  INTEGER  NOT NULL REFERENCES plans_indicators (id),
    -- YYYY-MM-DD: the last day of the period the value is for
    period_end    TEXT  NOT NULL,
    value         REAL  NOT NULL,
    source        TEXT  NOT NULL,
    evidence      TEXT  NOT NULL,
    recorded_by   TEXT  NOT NULL,
    recorded_at   INTEGER  NOT NULL
);
CREATE INDEX plans_actuals_indicator ON plans_actuals (indicator_id, period_end);
