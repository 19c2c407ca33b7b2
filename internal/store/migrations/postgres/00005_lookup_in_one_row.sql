-- +goose Up
-- A person's identity documents move into the record's data (its "Documents", the current one
-- first), so a look-up reads them with the record. reg_documents keeps only what REG-3 needs:
-- the unique key of every document a person ever had, and whose it is.
UPDATE reg_taxpayers t SET data = jsonb_set(CAST(t.data AS jsonb), '{Documents}', COALESCE((
    SELECT jsonb_agg(jsonb_build_object('type', d.type, 'series', d.series, 'number', d.number,
        'issued_on', CASE WHEN d.issued_on IS NULL OR d.issued_on = '' THEN NULL ELSE d.issued_on || 'T00:00:00Z' END,
        'issued_by', d.issued_by) ORDER BY d.seq DESC)
    FROM reg_documents d WHERE d.tin = t.tin), '[]'::jsonb))::text
WHERE t.kind = 'person';
-- No foreign key on tin: a key is written in the same transaction as its taxpayer, and taxpayers
-- are never deleted (REG-2); the check would lock the taxpayer's row (FOR KEY SHARE) for every
-- document, a quarter of the time of a bulk registration.
ALTER TABLE reg_documents DROP CONSTRAINT reg_documents_tin_fkey, DROP COLUMN type, DROP COLUMN series, DROP COLUMN number, DROP COLUMN number_norm,
    DROP COLUMN issued_on, DROP COLUMN issued_by, DROP COLUMN seq;

-- changes counts a record's rows in reg_history, so that the look-up of a record never changed
-- since its registration (most of them) reads no history.
ALTER TABLE reg_taxpayers ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
UPDATE reg_taxpayers SET changes = (SELECT count(*) FROM reg_history h WHERE h.tin = reg_taxpayers.tin)
WHERE tin IN (SELECT tin FROM reg_history);

-- REG-3: registrations of namesakes (same normalized name and birth date) lock the same row here
-- and so run one after the other: the second sees the first and goes to review. Names are hashed
-- into 4,096 buckets (register.go, nameBuckets).
CREATE TABLE reg_name_locks (bucket INTEGER PRIMARY KEY);
INSERT INTO reg_name_locks (bucket) SELECT generate_series(0, 4095);

-- The audit log is read newest first by id, for a subject or an actor: index what is read.
DROP INDEX audit_log_at;
DROP INDEX audit_log_subject;
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor ON audit_log (actor_login, id);

-- BO-5: one staff action on many records (a batch of registrations) is one entry of audit_log
-- (subject: the first of them, subject_count: how many) and one row here for each record, so the
-- log of a record still lists every action on it. No foreign key: the rows are written with
-- their entry, and the log is never deleted from.
ALTER TABLE audit_log ADD COLUMN subject_count BIGINT NOT NULL DEFAULT 1;
CREATE TABLE audit_subjects (
    subject  TEXT NOT NULL,
    audit_id BIGINT NOT NULL,
    PRIMARY KEY (subject, audit_id)
);

-- +goose Down
-- Irreversible: the documents stay in the records' data.
