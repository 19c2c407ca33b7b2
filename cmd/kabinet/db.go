package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
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

// services builds the domain services over db.
type services struct {
	db       *store.DB
	register *register.Service
	staff    *staff.Service
	hasher   *password.Hasher
}

func newServices(ctx context.Context, db *store.DB) (*services, error) {
	s := &services{db: db, hasher: password.NewHasher(0)}
	s.register = register.New(store.NewRegister(db), register.Options{})
	s.staff = staff.New(store.NewStaff(db), s.hasher, nil)
	if err := s.register.LoadOffices(ctx); err != nil {
		return nil, fmt.Errorf("load tax offices: %w", err)
	}
	return s, nil
}
