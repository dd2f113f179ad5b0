-- A claim looks for one campaign's queued messages of one operator, oldest first; renewal and
-- recovery look among the messages being sent; the frequency cap among messages sent; a
-- receipt for the part the SMSC gave its id. Partial indexes hold only those rows: a row
-- enters and leaves each once, and its other changes of state (submitted, delivered) rewrite
-- no index of every state.
DROP INDEX notify_messages_queue;
DROP INDEX notify_messages_phone;
DROP INDEX notify_parts_smsc_id;
CREATE INDEX notify_messages_queued ON notify_messages (campaign_id, operator, test, id) WHERE state = 'queued';
CREATE INDEX notify_messages_leased ON notify_messages (owner, lease_until) WHERE state = 'sending';
CREATE INDEX notify_messages_sent ON notify_messages (phone, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX notify_parts_smsc_id ON notify_parts (smsc, smsc_id) WHERE smsc_id IS NOT NULL;
