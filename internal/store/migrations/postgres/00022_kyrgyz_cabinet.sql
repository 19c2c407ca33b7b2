-- +goose Up
-- The Kyrgyz taxpayer cabinet (package cabinet). BO-3: a staff member works in a tax office (a
-- УГНС), whose queue of self-registrations the member decides; '' for one of no office.
ALTER TABLE staff ADD COLUMN office TEXT NOT NULL DEFAULT '';
-- KG-1: an organization's account is held by its head or its accountant (their personal TIN)
-- who registered it; '' for a person's own account.
ALTER TABLE lk_accounts ADD COLUMN signatory TEXT NOT NULL DEFAULT '';
ALTER TABLE lk_accounts ADD COLUMN signatory_role TEXT NOT NULL DEFAULT '';
-- KG-1, BO-3: applications of self-registration, in the queue of their УГНС. The password set
-- at registration is kept only as its argon2id hash, and becomes the account's when an
-- inspector grants access. One application of a login (the TIN of the cabinet's taxpayer)
-- waits at a time.
CREATE TABLE lk_registrations (
    seq           BIGSERIAL PRIMARY KEY,
    type          TEXT NOT NULL,
    tin           TEXT NOT NULL,
    name          TEXT NOT NULL,
    office        TEXT NOT NULL,
    org_tin       TEXT NOT NULL DEFAULT '',
    org_name      TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT '',
    login         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL DEFAULT 'ru',
    state         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    decided_at    TIMESTAMPTZ,
    decided_by    TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    passport      TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL
);
CREATE INDEX lk_registrations_queue ON lk_registrations (office, state, seq);
CREATE UNIQUE INDEX lk_registrations_waiting ON lk_registrations (login) WHERE state = 'submitted';
-- KG-2: the versions of the offer agreement and the privacy policy each account accepted, when
-- and from where.
CREATE TABLE lk_acceptances (
    tin         TEXT NOT NULL,
    document    TEXT NOT NULL,
    version     TEXT NOT NULL,
    accepted_at TIMESTAMPTZ NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tin, document, version)
);
-- KG-2: the mobile application's access and refresh tokens, only as SHA-256; a family is the
-- chain of one login's refreshes, revoked together.
CREATE TABLE lk_mobile_tokens (
    hash       BYTEA PRIMARY KEY,
    kind       TEXT NOT NULL,
    family     TEXT NOT NULL,
    tin        TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX lk_mobile_tokens_family ON lk_mobile_tokens (family);
CREATE INDEX lk_mobile_tokens_expires ON lk_mobile_tokens (expires_at);

-- +goose Down
DROP TABLE lk_mobile_tokens;
DROP TABLE lk_acceptances;
DROP TABLE lk_registrations;
ALTER TABLE lk_accounts DROP COLUMN signatory_role;
ALTER TABLE lk_accounts DROP COLUMN signatory;
ALTER TABLE staff DROP COLUMN office;
