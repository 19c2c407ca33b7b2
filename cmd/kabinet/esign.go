package main

import (
	"context"
	"fmt"
)

// runEsign is not written yet.
func runEsign(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "kabinet esign: not available yet")
	return exitFailure
}
