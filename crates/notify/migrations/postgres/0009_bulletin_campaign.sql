-- A campaign may also be read out on the loudspeakers: its bulletins name it, and cancelling
-- the campaign withdraws their plays not yet played.
ALTER TABLE notify_bulletins ADD COLUMN campaign_id BIGINT REFERENCES notify_campaigns (id);
CREATE INDEX notify_bulletins_campaign ON notify_bulletins (campaign_id);
