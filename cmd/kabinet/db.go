package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/store"
)

// dbFlag adds --db to fs; its default comes from KABINET_DB, else kabinet.db.
func dbFlag(fs *flag.FlagSet, e *env) *string {
	def := "kabinet.db"
	if e.getenv != nil && e.getenv("KABINET_DB") != "" {
		def = e.getenv("KABINET_DB")
	}
	return fs.String("db", def, "database: a SQLite file path or a postgres:// URL (env KABINET_DB)")
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// newApp assembles the application over db (the one wiring, package app).
func newApp(ctx context.Context, db *store.DB, log *slog.Logger) (*app.App, error) {
	return app.New(ctx, app.Config{DB: db, Log: log})
}
