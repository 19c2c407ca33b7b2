-- +goose Up
-- KG-1, LK-2, LK-10, BO-5: access to a Kyrgyz taxpayer's cabinet restored at the УГНС (package
-- cabinet, access_restore.go). An inspector of the taxpayer's УГНС, with the passport shown in
-- person, issues a one-time password (kept only as its argon2id hash, on the account, like a
-- card's temporary password) that must be replaced at the first login. One row per restore: the
-- account, its УГНС, who came for an organization's account (the personal TIN of its head or
-- accountant) and as what, what the inspector noted of the passport, who issued it, when, until
-- when the password may be used and when its owner replaced it; the language of the handover.
CREATE TABLE lk_access_restores (
    id          TEXT PRIMARY KEY,
    tin         TEXT NOT NULL,
    name        TEXT NOT NULL,
    office      TEXT NOT NULL,
    holder      TEXT NOT NULL DEFAULT '',
    holder_role TEXT NOT NULL DEFAULT '',
    passport    TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT 'ru',
    issued_by   TEXT NOT NULL,
    issued_at   TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX lk_access_restores_tin ON lk_access_restores (tin, issued_at);

-- +goose Down
DROP TABLE lk_access_restores;
