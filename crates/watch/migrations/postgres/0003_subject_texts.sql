-- What an officer supplies for a clip or a post (its description and transcript): Lantoa
-- never calls a platform's API, so this text is what the signals review.
CREATE TABLE watch_subject_texts (
    subject_id   BIGINT  PRIMARY KEY REFERENCES watch_subjects (id),
    description  TEXT,
    transcript   TEXT,
    supplied_at  BIGINT  NOT NULL,
    supplied_by  TEXT  NOT NULL
);
