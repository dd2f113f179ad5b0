-- The agency (a unit of the registry) a user works for. An agency uploader acts only on its
-- agency's datasets; NULL for users who work for the department as a whole.
ALTER TABLE users ADD COLUMN unit_id BIGINT;
