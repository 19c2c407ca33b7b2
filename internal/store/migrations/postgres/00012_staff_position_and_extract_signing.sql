-- +goose Up
-- REG-9: an extract names its issuing officer by full name and position, so staff members get a
-- position; and anyone can check an extract later by its number, so the register keeps with each
-- extract what it stated, its PDF (about 30 KB), the PDF's SHA-256 and the office's detached CMS
-- signature (NULL when issued unsigned).
ALTER TABLE staff ADD COLUMN position TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN position TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN office TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN office_name TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN pdf_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE reg_extracts ADD COLUMN pdf BYTEA;
ALTER TABLE reg_extracts ADD COLUMN signature BYTEA;

-- +goose Down
ALTER TABLE reg_extracts DROP COLUMN signature;
ALTER TABLE reg_extracts DROP COLUMN pdf;
ALTER TABLE reg_extracts DROP COLUMN pdf_sha256;
ALTER TABLE reg_extracts DROP COLUMN lang;
ALTER TABLE reg_extracts DROP COLUMN time_zone;
ALTER TABLE reg_extracts DROP COLUMN office_name;
ALTER TABLE reg_extracts DROP COLUMN office;
ALTER TABLE reg_extracts DROP COLUMN end_reason;
ALTER TABLE reg_extracts DROP COLUMN status;
ALTER TABLE reg_extracts DROP COLUMN name;
ALTER TABLE reg_extracts DROP COLUMN kind;
ALTER TABLE reg_extracts DROP COLUMN position;
ALTER TABLE staff DROP COLUMN position;
