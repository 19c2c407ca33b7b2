-- +goose Up
-- Settings of the whole database, one row each. "jurisdiction" is the jurisdiction the database
-- belongs to (package jurisdiction: ru, kg), chosen when it is created and followed by every
-- command on it. A database that already holds a register (its directory of tax offices is
-- loaded at the first start) was made before jurisdictions existed, and is Russian; a new one
-- gets its row from the first command that opens it.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (name, value) SELECT 'jurisdiction', 'ru' WHERE EXISTS (SELECT 1 FROM reg_offices);

-- +goose Down
DROP TABLE settings;
