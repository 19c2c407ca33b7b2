// Package scratch makes the scratch directories that test support keeps for the life of a test
// binary (the GOST oracle's files, a PostgreSQL cluster). Nothing runs when a test binary ends
// or is killed, so each directory is named after its process, and making one removes those of
// binaries that have ended: they do not pile up in the temporary directory run after run.
package scratch

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Dir makes a directory in the temporary directory whose name starts with prefix and this
// process's id. First it removes the directories of prefix whose process has ended, calling
// stale (when not nil) on each before, to stop what may still run there.
func Dir(prefix string, stale func(dir string)) (string, error) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, d := range dirs {
		if Alive(ownerOf(filepath.Base(d), prefix)) {
			continue
		}
		if stale != nil {
			stale(d)
		}
		os.RemoveAll(d)
	}
	return os.MkdirTemp("", fmt.Sprintf("%s%d-", prefix, os.Getpid()))
}

// ownerOf returns the process id in a directory's name, or 0.
func ownerOf(name, prefix string) int {
	pid, _, _ := strings.Cut(strings.TrimPrefix(name, prefix), "-")
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// Alive reports whether process pid exists (one of another user counts as alive).
func Alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH
}
