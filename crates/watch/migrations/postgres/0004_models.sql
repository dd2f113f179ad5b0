-- Trained harmful-content classifiers: the weights are a blob; precision and recall are
-- measured on the held-out quarter of the examples at training time.
CREATE TABLE watch_models (
    id             BIGSERIAL PRIMARY KEY,
    trained_at     BIGINT  NOT NULL,
    trained_by     TEXT  NOT NULL,
    examples       BIGINT  NOT NULL,
    decisions      BIGINT  NOT NULL,
    held_out       BIGINT  NOT NULL,
    precision      DOUBLE PRECISION  NOT NULL,
    recall         DOUBLE PRECISION  NOT NULL,
    blob_sha256    TEXT  NOT NULL
);
