-- The registry of units. A unit's identity (kind, code) never changes; what it is called and
-- what is known of it over time are versions, each valid from one date to the next. A change
-- closes the current version and opens a new one: nothing is overwritten.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT  NOT NULL CHECK (kind IN ('agency', 'enterprise', 'press_agency', 'commune', 'person')),
    code        TEXT,
    created_at  INTEGER  NOT NULL
);
CREATE UNIQUE INDEX units_kind_code ON units (kind, code);

CREATE TABLE unit_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id       INTEGER  NOT NULL REFERENCES units (id),
    name          TEXT  NOT NULL,
    name_key      TEXT  NOT NULL,
    attrs         TEXT  NOT NULL,
    valid_from    TEXT  NOT NULL,
    valid_to      TEXT,
    began         TEXT  NOT NULL CHECK (began IN ('created', 'renamed', 'updated')),
    ended         TEXT  CHECK (ended IN ('renamed', 'updated', 'merged', 'abolished')),
    successor_id  INTEGER  REFERENCES units (id),
    recorded_at   INTEGER  NOT NULL,
    recorded_by   TEXT  NOT NULL
);
CREATE INDEX unit_versions_unit ON unit_versions (unit_id, valid_from);
CREATE INDEX unit_versions_key ON unit_versions (name_key);

-- Communes before 1/7/2025 and how each maps to the current units (one-to-many for splits).
CREATE TABLE legacy_communes (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    district_code  TEXT NOT NULL,
    district       TEXT NOT NULL,
    province_code  TEXT NOT NULL
);
CREATE INDEX legacy_communes_key ON legacy_communes (name_key);

CREATE TABLE commune_conversions (
    old_code    TEXT NOT NULL REFERENCES legacy_communes (code),
    new_code    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('whole', 'split')),
    is_default  INTEGER NOT NULL,
    PRIMARY KEY (old_code, new_code)
);
