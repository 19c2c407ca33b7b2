package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
)

// serveOutput is the output of `kabinet serve`, read by the test while the server writes it.
type serveOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *serveOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *serveOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

var listening = regexp.MustCompile(`kabinet listening on (http://[^/\s]+)/`)

// TestServeRunsJobs runs `kabinet serve` on a free port: it answers, its own job worker runs the
// periodic clean-up jobs to done, and when the context ends (SIGTERM) it stops cleanly: exit 0,
// the port closed, no job left running, no error logged.
func TestServeRunsJobs(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errOut serveOutput
		exit := make(chan int, 1)
		go func() {
			// The secret key from the environment: on PostgreSQL serve would make one in the
			// working directory.
			getenv := func(k string) string { return map[string]string{"KABINET_SECRET_KEY": testSecretKey}[k] }
			exit <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}, &env{stdout: &out, stderr: &errOut, getenv: getenv})
		}()
		// running fails the test at once when serve has stopped on its own.
		running := func() {
			select {
			case code := <-exit:
				t.Fatalf("serve stopped by itself: exit %d\n%s\n%s", code, out.String(), errOut.String())
			default:
			}
		}
		var base string
		waitUntil(t, "serve to listen", func() bool {
			running()
			m := listening.FindStringSubmatch(out.String())
			if m != nil {
				base = m[1]
			}
			return m != nil
		})
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("healthz: %d", resp.StatusCode)
		}

		periodic := []string{"flows.cleanup", "jobs.cleanup", "limits.cleanup", "notify.cleanup", "sessions.cleanup"}
		q := store.NewJobs(db)
		waitUntil(t, "serve's worker to run the clean-up jobs", func() bool {
			running()
			done, err := q.List(context.Background(), jobs.Filter{State: jobs.Done})
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]bool{}
			for _, j := range done {
				kinds[j.Kind] = true
			}
			for _, k := range periodic {
				if !kinds[k] {
					return false
				}
			}
			return true
		})

		cancel()
		select {
		case code := <-exit:
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
		case <-time.After(time.Minute):
			t.Fatal("serve did not stop within a minute of SIGTERM")
		}
		if !strings.Contains(out.String(), "kabinet stopped") {
			t.Fatalf("output %q", out.String())
		}
		if strings.Contains(errOut.String(), "level=ERROR") {
			t.Fatalf("errors logged:\n%s", errOut.String())
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			t.Fatalf("still answering after it stopped: %d", resp.StatusCode)
		}
		if left, err := q.List(context.Background(), jobs.Filter{State: jobs.Running}); err != nil || len(left) != 0 {
			t.Fatalf("jobs left running: %v %v", left, err)
		}
	})
}
