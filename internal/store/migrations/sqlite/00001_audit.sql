-- +goose Up
-- BO-5: every staff action: who, what, when, on whose data. Written in the same transaction as
-- the change it records.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TIMESTAMP NOT NULL,
    actor_login TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '',
    remote_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_actor ON audit_log (actor_login, at);

-- +goose Down
DROP TABLE audit_log;
