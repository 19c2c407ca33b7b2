-- +goose Up
-- Staff members (inspectors, operators, admins) with lockout state, and their API tokens,
-- kept only as SHA-256 hashes.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed        INTEGER NOT NULL DEFAULT 0,
    failed_since  TIMESTAMP,
    locked_until  TIMESTAMP
);
CREATE TABLE staff_tokens (
    token_hash BLOB PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES staff (login),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX staff_tokens_login ON staff_tokens (login);

-- +goose Down
DROP TABLE staff_tokens;
DROP TABLE staff;
