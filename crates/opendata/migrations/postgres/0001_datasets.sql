-- Datasets, their uploads (versions), published rows and quarantined rows.
-- A dataset belongs to one agency (a unit of the registry) and carries its Table Schema.
CREATE TABLE opendata_datasets (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT     NOT NULL UNIQUE,
    title         TEXT     NOT NULL,
    notes         TEXT     NOT NULL DEFAULT '',
    owner_unit_id BIGINT   NOT NULL,
    license_id    TEXT     NOT NULL,
    cadence       TEXT     NOT NULL CHECK (cadence IN ('daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular')),
    sensitivity   TEXT     NOT NULL CHECK (sensitivity IN ('open', 'deidentified', 'restricted')),
    schema_json   TEXT     NOT NULL,
    created_by    TEXT     NOT NULL,
    created_at    BIGINT   NOT NULL,
    updated_at    BIGINT   NOT NULL
);

-- One upload of a file to a dataset: its raw bytes (blob store), how it was read, and what
-- became of its rows. rows = clean + quarantined + duplicates once done.
CREATE TABLE opendata_uploads (
    id            BIGSERIAL PRIMARY KEY,
    dataset_id    BIGINT   NOT NULL REFERENCES opendata_datasets (id),
    version       BIGINT   NOT NULL,
    file_name     TEXT     NOT NULL,
    blob_sha256   TEXT     NOT NULL,
    status        TEXT     NOT NULL CHECK (status IN ('queued', 'running', 'done', 'refused', 'failed')),
    format        TEXT,
    encoding      TEXT,
    delimiter     TEXT,
    rows          BIGINT   NOT NULL DEFAULT 0,
    clean         BIGINT   NOT NULL DEFAULT 0,
    quarantined   BIGINT   NOT NULL DEFAULT 0,
    duplicates    BIGINT   NOT NULL DEFAULT 0,
    cells         BIGINT   NOT NULL DEFAULT 0,
    filled_cells  BIGINT   NOT NULL DEFAULT 0,
    problems_json TEXT     NOT NULL DEFAULT '[]',
    duplicate_rows_json TEXT NOT NULL DEFAULT '[]',
    uploaded_by   TEXT     NOT NULL,
    uploaded_at   BIGINT   NOT NULL,
    finished_at   BIGINT,
    message       TEXT,
    UNIQUE (dataset_id, version)
);

-- The published rows: one per key (the primary key's cleaned values, or upload:row when the
-- schema has none). A later upload's row with the same key replaces the earlier one.
CREATE TABLE opendata_rows (
    dataset_id    BIGINT   NOT NULL REFERENCES opendata_datasets (id),
    row_key       TEXT     NOT NULL,
    upload_id     BIGINT   NOT NULL REFERENCES opendata_uploads (id),
    row_number    BIGINT   NOT NULL,
    values_json   TEXT     NOT NULL,
    published_at  BIGINT   NOT NULL,
    PRIMARY KEY (dataset_id, row_key)
);
CREATE INDEX opendata_rows_upload ON opendata_rows (upload_id);

-- Rows kept back, with the cells as given and every error; the owner agency fixes them, or
-- sends the row again in a later file: a clean row published under the same key (row_key, the
-- key cells as given, trimmed) resolves it.
CREATE TABLE opendata_quarantine (
    id            BIGSERIAL PRIMARY KEY,
    dataset_id    BIGINT   NOT NULL REFERENCES opendata_datasets (id),
    upload_id     BIGINT   NOT NULL REFERENCES opendata_uploads (id),
    row_number    BIGINT   NOT NULL,
    row_key       TEXT,
    cells_json    TEXT     NOT NULL,
    errors_json   TEXT     NOT NULL,
    status        TEXT     NOT NULL CHECK (status IN ('open', 'fixed', 'discarded')),
    resolved_by   TEXT,
    resolved_at   BIGINT
);
CREATE INDEX opendata_quarantine_dataset ON opendata_quarantine (dataset_id, status, id);
CREATE INDEX opendata_quarantine_upload ON opendata_quarantine (upload_id, row_number);
CREATE INDEX opendata_quarantine_key ON opendata_quarantine (dataset_id, row_key);
