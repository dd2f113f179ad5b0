-- A claim looks for one campaign's queued messages of one operator, oldest first; renewal and
-- recovery look among the messages being sent. Partial indexes hold only those rows: a
-- message enters and leaves each once, and its later changes of state (submitted, delivered)
-- no longer rewrite an index of every state.
DROP INDEX notify_messages_queue;
CREATE INDEX notify_messages_queued ON notify_messages (campaign_id, operator, test, id) WHERE state = 'queued';
CREATE INDEX notify_messages_leased ON notify_messages (owner, lease_until) WHERE state = 'sending';
