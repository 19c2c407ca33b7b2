-- +goose Up
-- Sessions of every site (back office, identity provider, personal account), each with how the
-- user authenticated, the assurance reached and when, and the device, so that a staff session and
-- a citizen's live side by side and a user can list and end their sessions. Sessions are
-- short-lived: the old table is replaced (everyone signs in again once).
DROP TABLE sessions;
CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    site       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    method     TEXT NOT NULL,
    assurance  TEXT NOT NULL DEFAULT '',
    auth_time  TIMESTAMP NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_subject ON sessions (site, subject);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_subject ON sessions (kind, subject);
CREATE INDEX sessions_expires ON sessions (expires_at);
