-- +goose Up
-- The taxpayer register (SPEC section 2). Rules live in internal/register; these tables only keep
-- what the rules decide, with unique keys as the final guard (REG-2, REG-3).

-- Tax offices (REG-1): the embedded directory is loaded at start, AddOffice extends it.
CREATE TABLE reg_offices (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    region TEXT NOT NULL
);

-- REG-1/REG-2: serial counters per scope (person, organization, kio, kpp:<reason>, extract) and
-- prefix (tax office). Updated in the same transaction as the row that takes the serial.
CREATE TABLE reg_counters (
    scope  TEXT NOT NULL,
    prefix TEXT NOT NULL,
    next   INTEGER NOT NULL,
    PRIMARY KEY (scope, prefix)
) WITHOUT ROWID;

-- REG-8: the КИО directory.
CREATE TABLE reg_kio (
    code          TEXT PRIMARY KEY,
    assigned_on   TEXT NOT NULL,
    changed_on    TEXT,
    invalid_on    TEXT,
    name_ru       TEXT NOT NULL,
    name_latin    TEXT NOT NULL,
    short_name_ru TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    oksm          TEXT NOT NULL,
    reg_number    TEXT NOT NULL DEFAULT '',
    tax_code      TEXT NOT NULL DEFAULT '',
    name_norm     TEXT NOT NULL
);
CREATE UNIQUE INDEX reg_kio_oksm_reg ON reg_kio (oksm, reg_number) WHERE reg_number <> '';
CREATE INDEX reg_kio_name ON reg_kio (name_norm);

-- Every TIN ever assigned stays here forever (REG-2): the primary key is the final guard.
CREATE TABLE reg_taxpayers (
    tin           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    tax_office    TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    registered_by TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_norm     TEXT NOT NULL,
    birth_date    TEXT,
    snils         TEXT UNIQUE,
    ogrn          TEXT UNIQUE,
    kio           TEXT REFERENCES reg_kio (code),
    data          TEXT NOT NULL,
    end_reason    TEXT,
    end_on        TEXT,
    kept_tin      TEXT,
    end_note      TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reg_taxpayers_name ON reg_taxpayers (name_norm, tin);
CREATE INDEX reg_taxpayers_birth ON reg_taxpayers (birth_date, name_norm);
CREATE INDEX reg_taxpayers_kio ON reg_taxpayers (kio);

-- REG-3: every identity document a person ever had; doc_key is type+series+number normalized.
CREATE TABLE reg_documents (
    doc_key     TEXT PRIMARY KEY,
    tin         TEXT NOT NULL REFERENCES reg_taxpayers (tin),
    type        TEXT NOT NULL,
    series      TEXT NOT NULL DEFAULT '',
    number      TEXT NOT NULL,
    number_norm TEXT NOT NULL,
    issued_on   TEXT,
    issued_by   TEXT NOT NULL DEFAULT '',
    seq         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reg_documents_tin ON reg_documents (tin, seq);
CREATE INDEX reg_documents_number ON reg_documents (number_norm);

-- REG-5: КПП, one per registration on a ground.
CREATE TABLE reg_kpps (
    code        TEXT PRIMARY KEY,
    tin         TEXT NOT NULL REFERENCES reg_taxpayers (tin),
    ground      TEXT NOT NULL,
    tax_office  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    subdivision TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '{}',
    assigned_on TEXT NOT NULL,
    closed_on   TEXT
);
CREATE INDEX reg_kpps_tin ON reg_kpps (tin, assigned_on);

-- REG-6: the history of every change.
CREATE TABLE reg_history (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    tin    TEXT NOT NULL REFERENCES reg_taxpayers (tin),
    at     TIMESTAMP NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '[]',
    note   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reg_history_tin ON reg_history (tin, id);

-- REG-3: registrations held for an inspector. One pending review per document.
CREATE TABLE reg_reviews (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    status     TEXT NOT NULL,
    doc_key    TEXT NOT NULL,
    input      TEXT NOT NULL,
    candidates TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT NOT NULL DEFAULT '',
    result_tin TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX reg_reviews_pending ON reg_reviews (doc_key) WHERE status = 'pending';
CREATE INDEX reg_reviews_status ON reg_reviews (status, id);

-- REG-9: extracts issued.
CREATE TABLE reg_extracts (
    number    TEXT PRIMARY KEY,
    tin       TEXT NOT NULL REFERENCES reg_taxpayers (tin),
    issued_at TIMESTAMP NOT NULL,
    issued_by TEXT NOT NULL
);

-- +goose Down
DROP TABLE reg_extracts;
DROP TABLE reg_reviews;
DROP TABLE reg_history;
DROP TABLE reg_kpps;
DROP TABLE reg_documents;
DROP TABLE reg_taxpayers;
DROP TABLE reg_kio;
DROP TABLE reg_counters;
DROP TABLE reg_offices;
