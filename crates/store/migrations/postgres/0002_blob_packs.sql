-- Blobs written since this migration are appended to pack files instead of one file each:
-- `pack` names the file under <blob root>/packs/ and `pack_offset` is where the blob starts.
-- NULL pack: a loose file under <blob root>/ab/cd/<sha256>, as written before.
ALTER TABLE blobs ADD COLUMN pack TEXT;
ALTER TABLE blobs ADD COLUMN pack_offset BIGINT;
