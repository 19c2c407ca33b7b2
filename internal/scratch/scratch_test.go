package scratch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// A directory of an ended process is removed (after stale saw it), one of a live process and
// the new one are kept.
func TestDirRemovesThoseOfEndedProcesses(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	prefix := "kabinet-scratch-test-"
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	dead := filepath.Join(os.TempDir(), prefix+strconv.Itoa(ended.Process.Pid)+"-1")
	alive := filepath.Join(os.TempDir(), prefix+strconv.Itoa(os.Getppid())+"-1")
	unnamed := filepath.Join(os.TempDir(), prefix+"x")
	for _, d := range []string{dead, alive, unnamed} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	dir, err := Dir(prefix, func(d string) { seen = append(seen, d) })
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{dead: false, unnamed: false, alive: true, dir: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", d, err == nil, want)
		}
	}
	if len(seen) != 2 {
		t.Errorf("stale saw %v, want the two removed", seen)
	}
	if ownerOf(filepath.Base(dir), prefix) != os.Getpid() {
		t.Errorf("%s is not named after this process", dir)
	}
}
