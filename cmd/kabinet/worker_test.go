package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/store"
)

// waitUntil polls cond until it holds; the deadline only ends a broken test.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startWorkerCmd runs `kabinet worker` with args until the returned stop is called, which
// returns its exit code and output.
func startWorkerCmd(t *testing.T, getenv func(string) string, args ...string) (stop func() (int, string, string)) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append([]string{"worker"}, args...), &env{stdout: &out, stderr: &errOut, getenv: getenv})
	}()
	return func() (int, string, string) {
		cancel()
		code := <-exit
		return code, out.String(), errOut.String()
	}
}

// TestWorkerCommand runs `kabinet worker` until the periodic clean-up it schedules has run, then
// stops it as SIGTERM would.
func TestWorkerCommand(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		stop := startWorkerCmd(t, func(string) string { return "" }, "--db", dsn)
		q := store.NewJobs(db)
		waitUntil(t, "the clean-up jobs to run", func() bool {
			done, err := q.List(context.Background(), jobs.Filter{State: jobs.Done})
			return err == nil && len(done) == 7 // five clean-ups, and the OpenID Connect provider's two (IDP-7)
		})
		code, out, errOut := stop()
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "flows.cleanup, idp.verify, jobs.cleanup, limits.cleanup, notify.cleanup, oidc.cleanup, oidc.keys.rotate, sessions.cleanup (") || !strings.Contains(out, "kabinet worker stopped") {
			t.Fatalf("output %q", out)
		}
	})
}

// TestWorkerSendsSMS runs `kabinet worker` with the SMS gateway from KABINET_SMS_URL: a queued
// SMS is delivered and marked sent, and an e-mail (no SMTP server given) stays in the outbox.
func TestWorkerSendsSMS(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		var delivered atomic.Int32
		gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			delivered.Add(1)
			w.WriteHeader(http.StatusOK)
		}))
		defer gw.Close()
		svc := notify.New(store.NewNotify(db), nil)
		msgs, err := svc.Send(context.Background(),
			notify.Message{Channel: notify.SMS, To: "+79161234567", Lang: "ru", Key: "notify.code", Args: []string{"1"}},
			notify.Message{Channel: notify.Email, To: "elena@example.org", Lang: "ru", Key: "notify.code", Args: []string{"2"}})
		if err != nil {
			t.Fatal(err)
		}
		getenv := func(k string) string {
			if k == "KABINET_SMS_URL" {
				return gw.URL + "/send"
			}
			return ""
		}
		stop := startWorkerCmd(t, getenv, "--db", dsn)
		waitUntil(t, "the SMS to be sent", func() bool {
			m, err := store.NewNotify(db).Message(context.Background(), msgs[0].ID)
			return err == nil && m.State == notify.Sent
		})
		code, out, errOut := stop()
		if code != exitOK || delivered.Load() != 1 || !strings.Contains(out, "notify.sms") || strings.Contains(out, "notify.email") {
			t.Fatalf("exit %d, %d deliveries: %s %s", code, delivered.Load(), out, errOut)
		}
		if m, _ := store.NewNotify(db).Message(context.Background(), msgs[1].ID); m.State != notify.Queued {
			t.Fatalf("e-mail without an SMTP server: %+v", m)
		}
	})
}

func TestWorkerBadSenderURL(t *testing.T) {
	for _, args := range [][]string{{"worker", "--smtp-url", "smtp://u:secret@host"}, {"worker", "--sms-url", "ftp://gateway"}} {
		code, _, errOut := runCmd(t, "", args...)
		if code != exitUsage || strings.Contains(errOut, "secret") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
