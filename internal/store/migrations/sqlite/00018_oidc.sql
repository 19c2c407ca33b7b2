-- +goose Up
-- The OpenID Connect provider (package oidc, IDP-7). Clients registered by the operators: their
-- redirect and post-logout URIs (JSON arrays, matched exactly), the scopes they may ask for
-- (space-separated), how they authenticate (a secret's SHA-256, or their key set by URL or
-- inline), their subject type and pairwise sector, the algorithm of their tokens.
CREATE TABLE oidc_clients (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    redirect_uris    TEXT NOT NULL,
    post_logout_uris TEXT NOT NULL DEFAULT '[]',
    public           BOOLEAN NOT NULL,
    trusted          BOOLEAN NOT NULL,
    scopes           TEXT NOT NULL,
    auth_method      TEXT NOT NULL,
    secret_hash      BLOB,
    jwks_url         TEXT NOT NULL DEFAULT '',
    jwks             TEXT NOT NULL DEFAULT '',
    subject_type     TEXT NOT NULL,
    sector           TEXT NOT NULL DEFAULT '',
    alg              TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    secret_set_at    TIMESTAMP
);
-- Authorization codes, only as SHA-256, single use: a redeemed code keeps the grant it opened,
-- so that a replay revokes it.
CREATE TABLE oidc_codes (
    hash           BLOB PRIMARY KEY,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    subject        TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    nonce          TEXT NOT NULL DEFAULT '',
    code_challenge TEXT NOT NULL DEFAULT '',
    auth_time      TIMESTAMP NOT NULL,
    acr            TEXT NOT NULL,
    confirmation   TEXT NOT NULL DEFAULT '',
    amr            TEXT NOT NULL DEFAULT '',
    session_id     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    used_at        TIMESTAMP,
    grant_id       TEXT
);
CREATE INDEX oidc_codes_expiry ON oidc_codes (expires_at);
-- Grants: what one redeemed code opened; every token issued from it belongs to its grant.
CREATE TABLE oidc_grants (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    subject    TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    auth_time  TIMESTAMP NOT NULL,
    acr        TEXT NOT NULL,
    amr        TEXT NOT NULL DEFAULT '',
    session_id TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX oidc_grants_account ON oidc_grants (account_id, client_id);
CREATE INDEX oidc_grants_expiry ON oidc_grants (expires_at);
-- Refresh tokens, only as SHA-256; each is used once and replaced by the next of its grant.
CREATE TABLE oidc_refresh_tokens (
    hash       BLOB PRIMARY KEY,
    grant_id   TEXT NOT NULL,
    issued_at  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id);
-- What each citizen allowed each client (the scopes), until revoked in the settings.
CREATE TABLE oidc_consents (
    account_id TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
CREATE INDEX oidc_consents_client ON oidc_consents (client_id);
-- Signing keys: the public JWK, the private key encrypted with the secret key (AES-256-GCM)
-- and which secret key that was; one key per algorithm and generation.
CREATE TABLE oidc_keys (
    id          TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    public_jwk  TEXT NOT NULL,
    private_enc BLOB NOT NULL,
    kek_id      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    CONSTRAINT oidc_keys_generation UNIQUE (alg, generation)
);
-- The jti of clients' assertions (private_key_jwt), until they expire: each is accepted once.
CREATE TABLE oidc_assertions (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, jti)
);
-- Values made once for the whole provider (the pairwise subjects' salt).
CREATE TABLE oidc_settings (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE oidc_settings;
DROP TABLE oidc_assertions;
DROP TABLE oidc_keys;
DROP TABLE oidc_consents;
DROP TABLE oidc_refresh_tokens;
DROP TABLE oidc_grants;
DROP TABLE oidc_codes;
DROP TABLE oidc_clients;
