package apptest

import (
	"syscall"
	"testing"
	"time"
)

// CPU is this process's CPU time so far, user and system, to the microsecond (getrusage).
func CPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// InTurn runs a and b n times each, one after the other, which goes first alternating, and
// returns the CPU each took in all (CPU): whatever else the machine does weighs on both alike
// (an argon2id hash's 19 MiB contend for the memory bus with every other process), and so does
// the garbage collection each hash's memory starts, which falls on whatever runs next. The
// benchmarks of a login's CPU against one hash measure so.
func InTurn(tb testing.TB, n int, a, b func()) (cpuA, cpuB time.Duration) {
	timed := func(fn func(), total *time.Duration) {
		t0 := CPU(tb)
		fn()
		*total += CPU(tb) - t0
	}
	for i := range n {
		if i%2 == 0 {
			timed(a, &cpuA)
			timed(b, &cpuB)
		} else {
			timed(b, &cpuB)
			timed(a, &cpuA)
		}
	}
	return cpuA, cpuB
}
