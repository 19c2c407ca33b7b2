package main

import (
	"context"
	"fmt"
)

// runStaff is not written yet.
func runStaff(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "kabinet staff: not available yet")
	return exitFailure
}
