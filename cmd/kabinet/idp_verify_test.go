package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/registry"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/store"
)

// IDP-3: a profile's verification survives `kill -9` of the worker asking the registries. A real
// `kabinet worker` process takes the job and is killed while the pension fund has not answered;
// once its lease has expired another worker runs the job again, the profile is verified once,
// and the citizen is told once.
func TestVerificationSurvivesKill9(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kabinet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		ctx := context.Background()
		var asked atomic.Int32
		hang, end := make(chan struct{}), make(chan struct{})
		reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // read: the server then notices the client going away
			if asked.Add(1) == 1 {
				close(hang)
				select { // the worker that asked is killed
				case <-r.Context().Done():
				case <-end:
				}
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ready","ok":true}`))
		}))
		defer func() { close(end); reg.Close() }() // the hanging answer ends before the server closes
		clock := apptest.NewClock(time.Time{})
		a, err := app.New(ctx, app.Config{DB: db, Now: clock.Now, Hasher: password.NewHasherWith(apptest.CheapHash, 0),
			Identity: app.Identity{RegistryHTTP: registry.HTTPOptions{URL: reg.URL}}})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: "Никитина", GivenName: "Ольга", Patronymic: "Павловна",
			Phone: "+79165550111", Level: identity.Simplified, Password: "Volga-river-2026"})
		if err != nil {
			t.Fatal(err)
		}
		p := identity.Profile{Sex: "female", BirthDate: time.Date(1983, 1, 19, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Пермь", Citizenship: "RUS", SNILS: "183-906-724 00",
			Passport: identity.Document{Type: "passport_ru", Series: "6503", Number: "214578", IssuedOn: time.Date(2003, 2, 10, 0, 0, 0, 0, time.UTC)}}
		if err := a.Identity.SubmitProfile(ctx, acc.ID, p, identity.Origin{Lang: "ru"}); err != nil {
			t.Fatal(err)
		}

		child := exec.Command(bin, "worker", "--db", dsn, "--concurrency", "1", "--registry-url", reg.URL)
		child.Env = append(os.Environ(), "KABINET_DB=")
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-hang:
		case <-time.After(2 * time.Minute):
			_ = child.Process.Kill()
			t.Fatal("the worker process never asked the registry")
		}
		if err := child.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = child.Wait()
		if v, _ := a.Identity.Verification(ctx, acc.ID); v.State != identity.InProgress {
			t.Fatalf("after the kill: %s", v.State)
		}

		w, _, err := a.NewWorker(1)
		if err != nil {
			t.Fatal(err)
		}
		for { // the periodic clean-ups the killed worker scheduled may run; the verification may not
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if j, err := a.Jobs.List(ctx, jobs.Filter{Kind: identity.VerifyJob}); err != nil || len(j) != 1 || j[0].State != jobs.Running || asked.Load() != 1 {
			t.Fatalf("the verification while the killed worker's lease holds: %v %+v, asked %d times", err, j, asked.Load())
		}
		clock.Advance(2 * time.Minute)
		for {
			n, err := w.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		v, _ := a.Identity.Verification(ctx, acc.ID)
		got, _ := a.Identity.Account(ctx, acc.ID)
		if v.State != identity.Verified || got.Level != identity.Standard {
			t.Fatalf("after the second worker: %s, %s", v.State, got.Level)
		}
		done, err := a.Jobs.List(ctx, jobs.Filter{Kind: identity.VerifyJob})
		if err != nil || len(done) != 1 || done[0].State != jobs.Done || done[0].Attempts != 2 {
			t.Fatalf("verification jobs: %v %+v", err, done)
		}
		events, _ := a.Identity.Events(ctx, acc.ID, 50)
		verified := 0
		for _, e := range events {
			if e.Kind == "verified" {
				verified++
			}
		}
		msgs, _ := store.NewNotify(db).Outbox(ctx, 50)
		told := 0
		for _, m := range msgs {
			if m.Key == "notify.idp.verified" {
				told++
			}
		}
		if verified != 1 || told != 1 {
			t.Fatalf("verified %d times, told %d times", verified, told)
		}
	})
}
