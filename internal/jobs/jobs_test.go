package jobs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/jobs"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		base     time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {10, 512 * time.Second}, {12, 2048 * time.Second}, {13, time.Hour}, {40, time.Hour}} {
		for range 50 {
			d := jobs.Backoff(c.attempts)
			if d < c.base || d > min(c.base+c.base/5, time.Hour) {
				t.Fatalf("Backoff(%d) = %v, want %v plus at most a fifth, at most an hour", c.attempts, d, c.base)
			}
		}
	}
}

func TestErrorText(t *testing.T) {
	long := errors.New(strings.Repeat("ж", 600)) // 1,200 bytes
	got := jobs.ErrorText(long)
	if len(got) != 1000 || !utf8.ValidString(got) {
		t.Fatalf("%d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if got := jobs.ErrorText(errors.New("ok\xff")); got != "ok\uFFFD" {
		t.Fatalf("invalid UTF-8: %q", got)
	}
	if jobs.ErrorText(nil) != "" {
		t.Fatal("nil error")
	}
}

func TestPermanent(t *testing.T) {
	err := fmt.Errorf("send: %w", jobs.Permanent(errors.New("refused")))
	if !jobs.IsPermanent(err) || err.Error() != "send: refused" {
		t.Fatalf("%v", err)
	}
	if jobs.IsPermanent(errors.New("x")) || jobs.Permanent(nil) != nil {
		t.Fatal("not permanent")
	}
}

func TestNormalize(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("MSK", 3*3600))
	got, err := jobs.Normalize(now, []jobs.Spec{{Kind: "a"}, {Kind: "b", MaxAttempts: 2, Payload: []byte(`{"x":1}`), RunAt: now.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].MaxAttempts != jobs.DefaultMaxAttempts || !got[0].RunAt.Equal(now) || got[0].RunAt.Location() != time.UTC || got[1].MaxAttempts != 2 {
		t.Fatalf("%+v", got)
	}
	for _, bad := range []jobs.Spec{{}, {Kind: "a", Payload: []byte("{")}, {Kind: "a", MaxAttempts: -1}} {
		if _, err := jobs.Normalize(now, []jobs.Spec{bad}); err == nil {
			t.Fatalf("%+v accepted", bad)
		}
	}
}

func TestPeriodKey(t *testing.T) {
	at := time.Date(2026, 12, 2, 8, 47, 13, 0, time.UTC)
	for every, want := range map[time.Duration]string{
		time.Hour:        "flows.cleanup:2026-12-02T08",
		24 * time.Hour:   "flows.cleanup:2026-12-02",
		15 * time.Minute: "flows.cleanup:2026-12-02T08:45",
		10 * time.Second: "flows.cleanup:2026-12-02T08:47:10",
	} {
		if got := jobs.PeriodKey("flows.cleanup", every, at); got != want {
			t.Errorf("every %v: %q, want %q", every, got, want)
		}
	}
	if got := jobs.PeriodKey("x", time.Hour, at.In(time.FixedZone("MSK", 3*3600))); got != "x:2026-12-02T08" {
		t.Errorf("the period is in UTC: %q", got)
	}
}
