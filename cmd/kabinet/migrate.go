package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
)

// runMigrate applies the embedded migrations; a new database gets its jurisdiction (--profile).
func runMigrate(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbf := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet migrate: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "database %s is up to date (jurisdiction %s)\n", db.Dialect, dbf.found.Code)
	return exitOK
}
