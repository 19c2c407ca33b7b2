-- +goose Up
-- Attempt limits shared by every secret check and every process (package limits): one row per
-- counter, keyed by a SHA-256 (no login or address is stored), times in Unix milliseconds so
-- that one atomic statement can compute a delay on both engines. They replace the lockout
-- columns of staff.
CREATE TABLE attempt_limits (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    next_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX attempt_limits_window ON attempt_limits (window_start);
-- Browsers in which a user signed in before: their attempts skip the counters a stranger can spend.
CREATE TABLE trusted_devices (
    hash       BLOB PRIMARY KEY,
    scope      TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used  BIGINT NOT NULL
);
CREATE INDEX trusted_devices_subject ON trusted_devices (scope, subject);
ALTER TABLE staff DROP COLUMN failed;
ALTER TABLE staff DROP COLUMN failed_since;
ALTER TABLE staff DROP COLUMN locked_until;

-- +goose Down
DROP TABLE trusted_devices;
DROP TABLE attempt_limits;
