-- +goose Up
-- Staff members (inspectors, operators, admins) with lockout state, and their API tokens,
-- kept only as SHA-256 hashes.
CREATE TABLE staff (
    id            BIGSERIAL PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed        INTEGER NOT NULL DEFAULT 0,
    failed_since  TIMESTAMPTZ,
    locked_until  TIMESTAMPTZ
);
CREATE TABLE staff_tokens (
    token_hash BYTEA PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES staff (login),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX staff_tokens_login ON staff_tokens (login);

-- +goose Down
DROP TABLE staff_tokens;
DROP TABLE staff;
