-- One alert, many channels: an approved alert may also go by SMS (a campaign queued on
-- approval), to the commune loudspeakers (a bulletin played at once) and to the public feed;
-- a Cancel stops the SMS still queued and withdraws the bulletin's plays not yet played.
ALTER TABLE notify_alerts ADD COLUMN feed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE notify_alerts ADD COLUMN speakers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notify_alerts ADD COLUMN sms_list_id INTEGER;
ALTER TABLE notify_alerts ADD COLUMN sms_body TEXT;
ALTER TABLE notify_alerts ADD COLUMN campaign_id INTEGER REFERENCES notify_campaigns (id);
ALTER TABLE notify_alerts ADD COLUMN bulletin_id INTEGER;

-- Commune loudspeaker clusters (cụm loa truyền thanh thông minh): each a device in one commune
-- or ward with its own bearer token, kept only as its SHA-256.
CREATE TABLE notify_clusters (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT  NOT NULL UNIQUE,
    commune_code  TEXT  NOT NULL,
    token_hash    TEXT  NOT NULL UNIQUE,
    revoked_at    INTEGER,
    revoked_by    TEXT,
    last_seen_at  INTEGER,
    created_by    TEXT  NOT NULL,
    created_at    INTEGER  NOT NULL
);
CREATE INDEX notify_clusters_commune ON notify_clusters (commune_code);

-- Bulletins: a text, as written and as spoken, and its audio in the blob store.
CREATE TABLE notify_bulletins (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT  NOT NULL,
    body          TEXT  NOT NULL,
    spoken        TEXT  NOT NULL,
    voice         TEXT  NOT NULL,
    audio_sha256  TEXT  NOT NULL,
    audio_size    INTEGER  NOT NULL,
    duration_ms   INTEGER  NOT NULL,
    alert_id      INTEGER  REFERENCES notify_alerts (id),
    -- scheduled, or withdrawn (its plays not yet played will not be)
    state         TEXT  NOT NULL,
    withdrawn_by  TEXT,
    withdrawn_at  INTEGER,
    created_by    TEXT  NOT NULL,
    created_at    INTEGER  NOT NULL
);

-- Each time a cluster is to play a bulletin, and what the cluster reported.
CREATE TABLE notify_plays (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    bulletin_id  INTEGER  NOT NULL REFERENCES notify_bulletins (id),
    cluster_id   INTEGER  NOT NULL REFERENCES notify_clusters (id),
    play_at      INTEGER  NOT NULL,
    repeats      INTEGER  NOT NULL,
    -- scheduled, played, failed, withdrawn
    state        TEXT  NOT NULL,
    reported_at  INTEGER,
    detail       TEXT,
    UNIQUE (cluster_id, bulletin_id, play_at)
);
CREATE INDEX notify_plays_bulletin ON notify_plays (bulletin_id, state);
CREATE INDEX notify_plays_time ON notify_plays (play_at);
