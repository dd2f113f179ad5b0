-- A published row's stable number (the DataStore's `_id`): given when its key is first
-- published, kept when a later upload replaces its values. Numbered per dataset from
-- `next_row_id`; rows published before this migration are numbered in key order.
ALTER TABLE opendata_rows ADD COLUMN row_id BIGINT;
ALTER TABLE opendata_datasets ADD COLUMN next_row_id BIGINT NOT NULL DEFAULT 1;
UPDATE opendata_rows SET row_id = numbered.n
FROM (SELECT dataset_id, row_key,
             ROW_NUMBER() OVER (PARTITION BY dataset_id ORDER BY row_key) AS n
      FROM opendata_rows) AS numbered
WHERE opendata_rows.dataset_id = numbered.dataset_id AND opendata_rows.row_key = numbered.row_key;
UPDATE opendata_datasets SET next_row_id = 1 + COALESCE(
    (SELECT MAX(row_id) FROM opendata_rows WHERE opendata_rows.dataset_id = opendata_datasets.id), 0);
CREATE UNIQUE INDEX opendata_rows_id ON opendata_rows (dataset_id, row_id);
