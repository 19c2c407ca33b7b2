package main

import (
	"context"
	"fmt"
)

// runServe is not written yet.
func runServe(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "kabinet serve: not available yet")
	return exitFailure
}
