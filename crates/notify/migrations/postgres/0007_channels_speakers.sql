-- One alert, many channels: an approved alert may also go by SMS (a campaign queued on
-- approval), to the commune loudspeakers (a bulletin played at once) and to the public feed;
-- a Cancel stops the SMS still queued and withdraws the bulletin's plays not yet played.
ALTER TABLE notify_alerts ADD COLUMN feed BIGINT NOT NULL DEFAULT 1;
ALTER TABLE notify_alerts ADD COLUMN speakers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notify_alerts ADD COLUMN sms_list_id BIGINT;
ALTER TABLE notify_alerts ADD COLUMN sms_body TEXT;
ALTER TABLE notify_alerts ADD COLUMN campaign_id BIGINT REFERENCES notify_campaigns (id);
ALTER TABLE notify_alerts ADD COLUMN bulletin_id BIGINT;

-- Commune loudspeaker clusters (cụm loa truyền thanh thông minh): each a device in one commune
-- or ward with its own bearer token, kept only as its SHA-256.
CREATE TABLE notify_clusters (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT  NOT NULL UNIQUE,
    commune_code  TEXT  NOT NULL,
    token_hash    TEXT  NOT NULL UNIQUE,
    revoked_at    BIGINT,
    revoked_by    TEXT,
    last_seen_at  BIGINT,
    created_by    TEXT  NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX notify_clusters_commune ON notify_clusters (commune_code);

-- Bulletins: a text, as written and as spoken, and its audio in the blob store.
CREATE TABLE notify_bulletins (
    id            BIGSERIAL PRIMARY KEY,
    title         TEXT  NOT NULL,
    body          TEXT  NOT NULL,
    spoken        TEXT  NOT NULL,
    voice         TEXT  NOT NULL,
    audio_sha256  TEXT  NOT NULL,
    audio_size    BIGINT  NOT NULL,
    duration_ms   BIGINT  NOT NULL,
    alert_id      BIGINT  REFERENCES notify_alerts (id),
    -- scheduled, or withdrawn (its plays not yet played will not be)
    state         TEXT  NOT NULL,
    withdrawn_by  TEXT,
    withdrawn_at  BIGINT,
    created_by    TEXT  NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- Each time a cluster is to play a bulletin, and what the cluster reported.
CREATE TABLE notify_plays (
    id           BIGSERIAL PRIMARY KEY,
    bulletin_id  BIGINT  NOT NULL REFERENCES notify_bulletins (id),
    cluster_id   BIGINT  NOT NULL REFERENCES notify_clusters (id),
    play_at      BIGINT  NOT NULL,
    repeats      BIGINT  NOT NULL,
    -- scheduled, played, failed, withdrawn
    state        TEXT  NOT NULL,
    reported_at  BIGINT,
    detail       TEXT,
    UNIQUE (cluster_id, bulletin_id, play_at)
);
CREATE INDEX notify_plays_bulletin ON notify_plays (bulletin_id, state);
CREATE INDEX notify_plays_time ON notify_plays (play_at);
