-- +goose Up
-- Stored self-service flows (package flow): registrations, logins, recoveries … with their state,
-- expiry, CSRF token, return address, client and the data entered so far (JSON, never secrets).
CREATE TABLE flows (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    client     TEXT NOT NULL,
    csrf       TEXT NOT NULL DEFAULT '',
    return_to  TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    attempts   INTEGER NOT NULL DEFAULT 0,
    version    BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX flows_expires ON flows (expires_at);

-- +goose Down
DROP TABLE flows;
