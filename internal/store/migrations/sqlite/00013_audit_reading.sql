-- +goose Up
-- BO-5: the audit log is read by a range of days too, newest first by id within it; an index on
-- the instant lets a range far back be found without reading every newer entry.
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP INDEX audit_log_at;
