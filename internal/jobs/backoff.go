package jobs

import (
	"math/rand/v2"
	"time"
)

// Back-off between attempts: 1 s after the first failure, doubling after each further one, never
// more than an hour; each delay gets up to a fifth more at random, so jobs that failed together
// (a gateway that was down) do not all come back in the same instant.
const (
	firstBackoff = time.Second
	maxBackoff   = time.Hour
)

// Backoff returns the delay before the next run of a job that has failed attempts times (≥ 1).
func Backoff(attempts int) time.Duration {
	d := maxBackoff
	if attempts < 1 {
		attempts = 1
	}
	if attempts <= 13 { // 2^12 s > 1 h
		d = min(firstBackoff<<(attempts-1), maxBackoff)
	}
	return min(d+time.Duration(rand.Int64N(int64(d/5)+1)), maxBackoff)
}
