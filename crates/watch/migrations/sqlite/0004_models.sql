-- Trained harmful-content classifiers: the weights are a blob; precision and recall are
-- measured on the held-out quarter of the examples at training time.
CREATE TABLE watch_models (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    trained_at     INTEGER  NOT NULL,
    trained_by     TEXT  NOT NULL,
    examples       INTEGER  NOT NULL,
    decisions      INTEGER  NOT NULL,
    held_out       INTEGER  NOT NULL,
    precision      REAL  NOT NULL,
    recall         REAL  NOT NULL,
    blob_sha256    TEXT  NOT NULL
);
