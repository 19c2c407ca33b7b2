-- +goose Up
-- The outbox of e-mails and SMS (internal/notify): each message is stored rendered, in the same
-- transaction as the notify.email or notify.sms job that sends it.
CREATE TABLE notify_messages (
    id          TEXT PRIMARY KEY,     -- random; the same for every attempt (Message-ID, the gateway's id)
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient   TEXT NOT NULL,
    lang        TEXT NOT NULL,
    message_key TEXT NOT NULL,        -- the catalogue key it was rendered from
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sent')),
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP
);
CREATE INDEX notify_messages_created ON notify_messages (created_at, id);

-- +goose Down
DROP TABLE notify_messages;
