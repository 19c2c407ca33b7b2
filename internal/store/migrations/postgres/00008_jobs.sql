-- +goose Up
-- The durable job queue, which is also the outbox (internal/jobs): a job is written in the same
-- transaction as the change that calls for it. Numbers 00006 and 00007 are left to the web
-- layer's migrations; goose applies the files in order whatever the gaps.
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '',
    idem_key     TEXT,                -- idempotency key; NULL when the job has none
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TIMESTAMPTZ NOT NULL,
    lease_token  TEXT,                -- while running: the current lease's random token
    leased_until TIMESTAMPTZ,         -- while running: when the lease expires
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ          -- when it became done or dead
);
CREATE UNIQUE INDEX jobs_key ON jobs (idem_key);
-- What a worker leases: due queued jobs, oldest first, and running jobs whose lease expired.
-- Partial indexes stay as small as the queue, however many done jobs the table keeps.
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (leased_until) WHERE state = 'running';

-- +goose Down
DROP TABLE jobs;
