package main

import (
	"context"
	"fmt"
)

// runRegister is not written yet.
func runRegister(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "kabinet register: not available yet")
	return exitFailure
}
