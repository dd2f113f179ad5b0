-- Users, their roles, console sessions, API tokens and login attempts.
CREATE TABLE users (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    username              TEXT    NOT NULL UNIQUE,
    display_name          TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    must_change_password  INTEGER    NOT NULL DEFAULT 0,
    disabled              INTEGER    NOT NULL DEFAULT 0,
    lang                  TEXT    NOT NULL DEFAULT 'vi',
    created_at            INTEGER    NOT NULL,
    updated_at            INTEGER    NOT NULL
);

CREATE TABLE user_roles (
    user_id  INTEGER NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Only the SHA-256 of a session token is stored; the token itself lives in the browser cookie.
CREATE TABLE sessions (
    token_hash  TEXT  PRIMARY KEY,
    user_id     INTEGER  NOT NULL REFERENCES users (id),
    csrf        TEXT  NOT NULL,
    created_at  INTEGER  NOT NULL,
    expires_at  INTEGER  NOT NULL,
    last_seen   INTEGER  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT  NOT NULL,
    token_hash    TEXT  NOT NULL UNIQUE,
    user_id       INTEGER  NOT NULL REFERENCES users (id),
    roles         TEXT  NOT NULL,
    created_at    INTEGER  NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    last_used_at  INTEGER
);

CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT  NOT NULL,
    at      INTEGER  NOT NULL,
    ok      INTEGER  NOT NULL
);
CREATE INDEX login_attempts_subject ON login_attempts (subject, at);
