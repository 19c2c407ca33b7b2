-- +goose Up
-- Two indexes that no query uses, written by every sign-in all the same:
-- the sessions by expiry (the hourly clean-up deletes sessions expired or idle, expires_at < …
-- OR last_seen < …, which no single index answers: both engines scan the table for it anyway),
-- and the trusted devices by scope and subject (a device is found by its token's hash, and the
-- clean-up of unused ones reads last_used).
DROP INDEX sessions_expires;
DROP INDEX trusted_devices_subject;

-- +goose Down
CREATE INDEX trusted_devices_subject ON trusted_devices (scope, subject);
CREATE INDEX sessions_expires ON sessions (expires_at);
