-- +goose Up
-- The taxpayers' personal accounts (package cabinet), keyed by the TIN, which is the login
-- (LK-1): the password's argon2id hash (the temporary one of the current card while temporary,
-- LK-2), the card in force and its validity, the instant before which sessions no longer count
-- (a new card or a recovered password, LK-10), the contacts and the code word of online recovery
-- (LK-4) and the count of wrong code words.
CREATE TABLE lk_accounts (
    tin               TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    source            TEXT NOT NULL,
    password_hash     TEXT NOT NULL DEFAULT '',
    temporary         BOOLEAN NOT NULL DEFAULT FALSE,
    card_id           TEXT NOT NULL DEFAULT '',
    card_issued_at    TIMESTAMPTZ,
    card_expires_at   TIMESTAMPTZ,
    active_from       TIMESTAMPTZ,
    password_set_at   TIMESTAMPTZ,
    sessions_from     TIMESTAMPTZ,
    email             TEXT NOT NULL DEFAULT '',
    email_confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    phone             TEXT NOT NULL DEFAULT '',
    phone_confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    code_word_hash    TEXT NOT NULL DEFAULT '',
    recovery_on       BOOLEAN NOT NULL DEFAULT FALSE,
    recovery_failures INTEGER NOT NULL DEFAULT 0,
    recovery_off      TEXT NOT NULL DEFAULT '',
    lang              TEXT NOT NULL DEFAULT 'ru',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    version           BIGINT NOT NULL
);
-- Registration cards (LK-1, BO-2) as issued: never their temporary password.
CREATE TABLE lk_cards (
    id          TEXT PRIMARY KEY,
    tin         TEXT NOT NULL,
    name        TEXT NOT NULL,
    office      TEXT NOT NULL,
    office_name TEXT NOT NULL DEFAULT '',
    issued_at   TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    active_from TIMESTAMPTZ,
    issued_by   TEXT NOT NULL,
    checked     TEXT NOT NULL DEFAULT '',
    application TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX lk_cards_tin ON lk_cards (tin, issued_at);
-- The history of each account: logins, cards, changes, representatives who acted.
CREATE TABLE lk_events (
    id      BIGSERIAL PRIMARY KEY,
    tin     TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    kind    TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    device  TEXT NOT NULL DEFAULT '',
    actor   TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lk_events_tin ON lk_events (tin, id);
-- The messages of the outbox (notify_messages) sent to each account's owner.
CREATE TABLE lk_notifications (
    message_id TEXT PRIMARY KEY,
    tin        TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX lk_notifications_tin ON lk_notifications (tin, at);
-- Codes confirming contacts and the secrets of recovery links (LK-4), only as HMACs.
CREATE TABLE lk_codes (
    purpose    TEXT NOT NULL,
    key        TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    hash       BYTEA NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (purpose, key)
);
CREATE INDEX lk_codes_expires ON lk_codes (expires_at);
-- Online applications to connect the account (LK-7, BO-3); their number is the year and seq.
CREATE TABLE lk_applications (
    seq         BIGSERIAL PRIMARY KEY,
    key_hash    BYTEA NOT NULL,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL,
    surname_key TEXT NOT NULL,
    lang        TEXT NOT NULL DEFAULT 'ru',
    created_at  TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    decided_by  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    tin         TEXT NOT NULL DEFAULT '',
    card_id     TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL
);
CREATE INDEX lk_applications_state ON lk_applications (state, seq);
-- Representatives and parents acting in other persons' accounts (LK-8); dates as YYYY-MM-DD.
CREATE TABLE lk_representations (
    id             TEXT PRIMARY KEY,
    principal      TEXT NOT NULL,
    representative TEXT NOT NULL,
    kind           TEXT NOT NULL,
    document       TEXT NOT NULL,
    powers         TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_until    TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     TEXT NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lk_representations_principal ON lk_representations (principal);
CREATE INDEX lk_representations_representative ON lk_representations (representative);

-- +goose Down
DROP TABLE lk_representations;
DROP TABLE lk_applications;
DROP TABLE lk_codes;
DROP TABLE lk_notifications;
DROP TABLE lk_events;
DROP TABLE lk_cards;
DROP TABLE lk_accounts;
