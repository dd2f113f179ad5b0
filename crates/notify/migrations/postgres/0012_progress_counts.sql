-- A campaign's progress is read every few seconds while it sends; counting its messages by
-- state grows with the campaign (seconds at 10 million). The counts are kept instead, by
-- triggers on every insert, update and delete, so no code path can forget them. The triggers
-- run once per statement over its transition tables: one write per count a statement changes,
-- in key order, so two transactions take the count rows' locks in the same order.
CREATE TABLE notify_counts (
    campaign_id  BIGINT  NOT NULL,
    test         BIGINT  NOT NULL,
    operator     TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (campaign_id, test, operator, state)
);

INSERT INTO notify_counts (campaign_id, test, operator, state, n)
SELECT campaign_id, test, operator, state, COUNT(*) FROM notify_messages
GROUP BY campaign_id, test, operator, state;

CREATE FUNCTION notify_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO notify_counts (campaign_id, test, operator, state, n)
        SELECT campaign_id, test, operator, state, COUNT(*) FROM new_rows
        GROUP BY campaign_id, test, operator, state
        ORDER BY campaign_id, test, operator, state
        ON CONFLICT (campaign_id, test, operator, state) DO UPDATE SET n = notify_counts.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO notify_counts (campaign_id, test, operator, state, n)
        SELECT campaign_id, test, operator, state, SUM(d) FROM (
            SELECT campaign_id, test, operator, state, 1 AS d FROM new_rows
            UNION ALL
            SELECT campaign_id, test, operator, state, -1 AS d FROM old_rows
        ) AS changes
        GROUP BY campaign_id, test, operator, state
        HAVING SUM(d) <> 0
        ORDER BY campaign_id, test, operator, state
        ON CONFLICT (campaign_id, test, operator, state) DO UPDATE SET n = notify_counts.n + excluded.n;
    ELSE
        INSERT INTO notify_counts (campaign_id, test, operator, state, n)
        SELECT campaign_id, test, operator, state, -COUNT(*) FROM old_rows
        GROUP BY campaign_id, test, operator, state
        ORDER BY campaign_id, test, operator, state
        ON CONFLICT (campaign_id, test, operator, state) DO UPDATE SET n = notify_counts.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER notify_counts_insert AFTER INSERT ON notify_messages
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_counts_apply();
CREATE TRIGGER notify_counts_update AFTER UPDATE ON notify_messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_counts_apply();
CREATE TRIGGER notify_counts_delete AFTER DELETE ON notify_messages
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_counts_apply();

-- The reasons shown beside the progress: only messages that have one.
CREATE INDEX notify_messages_reason ON notify_messages (campaign_id, test, reason) WHERE reason IS NOT NULL;
