package main

import (
	"context"
	"fmt"
)

// runTin is not written yet.
func runTin(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "kabinet tin: not available yet")
	return exitFailure
}
