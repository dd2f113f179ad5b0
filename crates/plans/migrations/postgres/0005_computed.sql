-- An indicator whose actual another module computes (e.g. `opendata.public_datasets`): the
-- console reads it through that module's API and records it as an actual with its source.
ALTER TABLE plans_indicators ADD COLUMN computed_from TEXT;
