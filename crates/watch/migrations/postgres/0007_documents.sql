-- Documents issued on a case (Decree 30/2020 form): each numbered in its kind's register for
-- the year, its DOCX kept in the blob store. And the screenshot of a captured page, rendered
-- from the capture in headless Chromium when the crawl finds something on it.
CREATE TABLE watch_case_documents (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT  NOT NULL REFERENCES watch_cases (id),
    kind        TEXT  NOT NULL,
    year        BIGINT  NOT NULL,
    number      BIGINT  NOT NULL CHECK (number > 0),
    symbol      TEXT  NOT NULL,
    -- YYYY-MM-DD
    issued_on   TEXT  NOT NULL,
    issued_by   TEXT  NOT NULL,
    issued_at   BIGINT  NOT NULL,
    sha256      TEXT  NOT NULL,
    size        BIGINT  NOT NULL,
    UNIQUE (kind, year, number)
);
CREATE INDEX watch_case_documents_case ON watch_case_documents (case_id);

ALTER TABLE watch_pages ADD COLUMN screenshot_sha256 TEXT;
