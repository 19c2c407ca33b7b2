package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/store"
)

// dbFlags are the flags of every command that opens the database: which one, and the
// jurisdiction it belongs to.
type dbFlags struct {
	dsn     string
	profile string
	// found is the database's jurisdiction, once openDB has opened it.
	found jurisdiction.Profile
}

// dbFlag adds --db and --profile to fs. --db defaults to KABINET_DB, else kabinet.db; --profile
// to KABINET_PROFILE, else the database's jurisdiction (for a new database: ru).
func dbFlag(fs *flag.FlagSet, e *env) *dbFlags {
	def, prof := "kabinet.db", ""
	if e.getenv != nil {
		if v := e.getenv("KABINET_DB"); v != "" {
			def = v
		}
		prof = e.getenv("KABINET_PROFILE")
	}
	f := &dbFlags{}
	fs.StringVar(&f.dsn, "db", def, "database: a SQLite file path or a postgres:// URL (env KABINET_DB)")
	fs.StringVar(&f.profile, "profile", prof, "the jurisdiction, ru or kg, chosen when the database is created and kept in it; "+
		"default: the database's, ru for a new one (env KABINET_PROFILE)")
	return f
}

// openDB opens and migrates the database and checks its jurisdiction: a new database gets the
// one --profile names (ru by default); a database of another one than --profile names is refused.
func openDB(ctx context.Context, f *dbFlags) (*store.DB, error) {
	db, err := store.Open(ctx, f.dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	p, err := app.DatabaseProfile(ctx, db, jurisdiction.Code(f.profile))
	if err != nil {
		db.Close()
		return nil, err
	}
	f.found = p
	return db, nil
}

// newApp assembles the application over db (the one wiring, package app), in the database's
// jurisdiction.
func newApp(ctx context.Context, db *store.DB, log *slog.Logger) (*app.App, error) {
	return app.New(ctx, app.Config{DB: db, Log: log})
}
