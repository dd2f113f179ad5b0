-- When an alert leaves the public list: the latest expiry of its parts, in microseconds, or the
-- largest value for one with a part that never expires. Rows kept before this column (NULL)
-- are judged from their CAP document. The public list is asked often (citizens in an
-- emergency), so it filters here, on the (public, sent_at) index, rather than reading every
-- alert's XML.
ALTER TABLE notify_alerts ADD COLUMN expires_at BIGINT;
