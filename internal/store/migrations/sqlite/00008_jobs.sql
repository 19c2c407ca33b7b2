-- +goose Up
-- The durable job queue, which is also the outbox (internal/jobs): a job is written in the same
-- transaction as the change that calls for it. Numbers 00006 and 00007 are left to the web
-- layer's migrations; goose applies the files in order whatever the gaps.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '',
    idem_key     TEXT,                -- idempotency key; NULL when the job has none
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TIMESTAMP NOT NULL,
    due_at       TIMESTAMP,           -- when a worker may take it: queued, run_at; running, the lease's end;
                                      -- NULL once done or dead
    lease_token  TEXT,                -- while running: the current lease's random token
    leased_until TIMESTAMP,           -- while running: when the lease expires
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    done_at      TIMESTAMP,           -- when it became done or dead
    CHECK ((due_at IS NULL) = (state IN ('done', 'dead')))
);
CREATE UNIQUE INDEX jobs_key ON jobs (idem_key);
-- What a worker leases, for each kind it runs: the jobs whose due_at has come, oldest first. One
-- range of this index, already in that order, holds the due queued jobs and the expired leases
-- alike, and never reaches the entries of done or dead jobs (NULL, outside every range).
CREATE INDEX jobs_due ON jobs (kind, due_at, id);

-- +goose Down
DROP TABLE jobs;
