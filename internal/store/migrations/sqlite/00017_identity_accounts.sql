-- +goose Up
-- The identity provider's accounts (package identity): identifiers unique among accounts (NULL
-- when not given), the level, the confirmation method and its evidence, the verified profile
-- (JSON), the password and the security answer (argon2id), the consents accepted, the language
-- of the messages sent to the citizen.
CREATE TABLE idp_accounts (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    surname         TEXT NOT NULL,
    given_name      TEXT NOT NULL,
    patronymic      TEXT NOT NULL DEFAULT '',
    phone           TEXT UNIQUE,
    email           TEXT UNIQUE,
    snils           TEXT UNIQUE,
    passport        TEXT,
    level           TEXT NOT NULL,
    method          TEXT NOT NULL DEFAULT '',
    confirmed_at    TIMESTAMP,
    evidence        TEXT NOT NULL DEFAULT '',
    profile         TEXT NOT NULL DEFAULT '{}',
    password_hash   TEXT NOT NULL,
    question        TEXT NOT NULL DEFAULT '',
    answer_hash     TEXT NOT NULL DEFAULT '',
    consents        TEXT NOT NULL DEFAULT '[]',
    lang            TEXT NOT NULL DEFAULT 'ru',
    created_at      TIMESTAMP NOT NULL,
    password_set_at TIMESTAMP NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX idp_accounts_passport ON idp_accounts (passport);
-- The security history of each account: logins, changes, confirmations.
CREATE TABLE idp_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    kind       TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    device     TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idp_events_account ON idp_events (account_id, id);
-- One-time codes, only as HMACs.
CREATE TABLE idp_codes (
    purpose    TEXT NOT NULL,
    key        TEXT NOT NULL,
    hash       BLOB NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (purpose, key)
);
-- The profile each citizen fills in and its verification against the registries (IDP-3), and the
-- level the account lost when its verified data changed.
CREATE TABLE idp_verifications (
    account_id   TEXT PRIMARY KEY,
    state        TEXT NOT NULL,
    draft        TEXT NOT NULL DEFAULT '{}',
    submitted    TEXT NOT NULL DEFAULT '{}',
    seq          INTEGER NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP,
    checks       TEXT NOT NULL DEFAULT '[]',
    reason       TEXT NOT NULL DEFAULT '',
    lost_level   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP,
    version      BIGINT NOT NULL
);
-- Registered letters of the confirmation by mail (IDP-4b).
CREATE TABLE idp_letters (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    address    TEXT NOT NULL,
    ordered_at TIMESTAMP NOT NULL
);
CREATE INDEX idp_letters_account ON idp_letters (account_id);
-- Challenges of qualified e-signatures, single use (package esign), shared by every process.
CREATE TABLE esign_challenges (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    issued_at  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX esign_challenges_expires ON esign_challenges (expires_at);

-- +goose Down
DROP TABLE esign_challenges;
DROP TABLE idp_letters;
DROP TABLE idp_verifications;
DROP TABLE idp_codes;
DROP TABLE idp_events;
DROP TABLE idp_accounts;
