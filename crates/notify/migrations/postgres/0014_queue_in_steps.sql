-- An approved campaign's messages are queued in steps of a few thousand, each its own
-- transaction, so sending starts at once and no other writer waits behind one transaction of
-- millions of rows. The number after which recipients are still to be queued; NULL once all
-- are queued (or the campaign was never approved, or was cancelled).
ALTER TABLE notify_campaigns ADD COLUMN queue_after TEXT;
