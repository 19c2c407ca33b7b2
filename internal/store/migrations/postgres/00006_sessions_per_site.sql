-- +goose Up
-- Sessions of every site (back office, identity provider, personal account), each with how the
-- user authenticated, the assurance reached and when, and the device, so that a staff session and
-- a citizen's live side by side and a user can list and end their sessions. Sessions are
-- short-lived: the old table is replaced (everyone signs in again once).
DROP TABLE sessions;
CREATE TABLE sessions (
    hash       BYTEA PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    site       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    method     TEXT NOT NULL,
    assurance  TEXT NOT NULL DEFAULT '',
    auth_time  TIMESTAMPTZ NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_subject ON sessions (site, subject);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
CREATE TABLE sessions (
    hash       BYTEA PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_subject ON sessions (kind, subject);
CREATE INDEX sessions_expires ON sessions (expires_at);
