package main

import (
	"context"
	"fmt"
)

// runMigrate is not written yet.
func runMigrate(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "kabinet migrate: not available yet")
	return exitFailure
}
