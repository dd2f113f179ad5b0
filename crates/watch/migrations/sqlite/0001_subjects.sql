-- What the department watches: websites, social networks and their pages, video channels,
-- clips and posts. The managing unit is a unit of the registry, referred to by id through the
-- registry's API (no foreign key across modules).
CREATE TABLE watch_subjects (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind              TEXT  NOT NULL CHECK (kind IN ('website', 'social_network', 'social_account', 'video_channel', 'clip', 'post')),
    url               TEXT  NOT NULL,
    url_key           TEXT  NOT NULL UNIQUE,
    host              TEXT  NOT NULL,
    name              TEXT  NOT NULL,
    name_key          TEXT  NOT NULL,
    managing_unit_id  INTEGER,
    licence_no        TEXT,
    licence_date      TEXT,
    is_press          INTEGER  NOT NULL DEFAULT 0,
    created_at        INTEGER  NOT NULL,
    created_by        TEXT  NOT NULL
);
CREATE INDEX watch_subjects_kind ON watch_subjects (kind, name);
CREATE INDEX watch_subjects_unit ON watch_subjects (managing_unit_id);
