-- Each unit points at its newest version, so reading a unit as it is now is one join
-- instead of a MAX() per unit (measured: the unit list was the slowest API call).
ALTER TABLE units ADD COLUMN current_version_id BIGINT REFERENCES unit_versions (id);
UPDATE units SET current_version_id = (SELECT MAX(v.id) FROM unit_versions v WHERE v.unit_id = units.id);
CREATE INDEX units_current_version ON units (current_version_id);
