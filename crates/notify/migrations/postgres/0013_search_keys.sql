-- The lists of campaigns, recipient lists, alerts and notices are searched by what an officer
-- types, compared on tone keys (lantoa_core::text::tone_key: "Hoà" finds "Hòa"). The key is
-- computed in Rust, so the column starts empty; the service fills the rows without one before
-- it searches a table (the partial indexes find them at once), so rows written before this
-- migration, or by any path that did not set it, are found too.
ALTER TABLE notify_campaigns ADD COLUMN search_key TEXT;
ALTER TABLE notify_lists ADD COLUMN search_key TEXT;
ALTER TABLE notify_alerts ADD COLUMN search_key TEXT;
ALTER TABLE notify_notices ADD COLUMN search_key TEXT;
CREATE INDEX notify_campaigns_unkeyed ON notify_campaigns (id) WHERE search_key IS NULL;
CREATE INDEX notify_lists_unkeyed ON notify_lists (id) WHERE search_key IS NULL;
CREATE INDEX notify_alerts_unkeyed ON notify_alerts (id) WHERE search_key IS NULL;
CREATE INDEX notify_notices_unkeyed ON notify_notices (id) WHERE search_key IS NULL;
