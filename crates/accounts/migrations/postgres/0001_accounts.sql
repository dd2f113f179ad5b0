-- Users, their roles, console sessions, API tokens and login attempts.
CREATE TABLE users (
    id                    BIGSERIAL PRIMARY KEY,
    username              TEXT    NOT NULL UNIQUE,
    display_name          TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    must_change_password  BIGINT    NOT NULL DEFAULT 0,
    disabled              BIGINT    NOT NULL DEFAULT 0,
    lang                  TEXT    NOT NULL DEFAULT 'vi',
    created_at            BIGINT    NOT NULL,
    updated_at            BIGINT    NOT NULL
);

CREATE TABLE user_roles (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Only the SHA-256 of a session token is stored; the token itself lives in the browser cookie.
CREATE TABLE sessions (
    token_hash  TEXT  PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    csrf        TEXT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT  NOT NULL,
    token_hash    TEXT  NOT NULL UNIQUE,
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    roles         TEXT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT,
    revoked_at    BIGINT,
    last_used_at  BIGINT
);

CREATE TABLE login_attempts (
    id      BIGSERIAL PRIMARY KEY,
    subject TEXT  NOT NULL,
    at      BIGINT  NOT NULL,
    ok      BIGINT  NOT NULL
);
CREATE INDEX login_attempts_subject ON login_attempts (subject, at);
