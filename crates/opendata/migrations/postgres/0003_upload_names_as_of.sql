-- When an upload's names were written. Hà Nội's units changed on 1/7/2025: a file that predates
-- it names old communes. `as_of` is the date the uploader stated (ISO), `latest_date` the
-- latest date found in the file's date columns, `names` which units its commune names were
-- read as ('old' or 'current').
ALTER TABLE opendata_uploads ADD COLUMN as_of TEXT;
ALTER TABLE opendata_uploads ADD COLUMN latest_date TEXT;
ALTER TABLE opendata_uploads ADD COLUMN names TEXT;
