-- The per-batch update that closes rows quarantined under keys a later upload published reads
-- (dataset_id, status = 'open', row_key IN …). With only (dataset_id, row_key) beside
-- (dataset_id, status, id), the planners chose the status index and scanned every open
-- quarantined row of the dataset for each batch: ingest grew with rows × dirty rows. Keyed on
-- (dataset_id, row_key, status), each batch looks up its own keys.
DROP INDEX opendata_quarantine_key;
CREATE INDEX opendata_quarantine_key ON opendata_quarantine (dataset_id, row_key, status);
