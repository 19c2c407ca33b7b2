package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// A stored flow keeps what was typed across requests (a closed tab), refuses a stale copy (a
// second tab), ends when done, expires, and is removed by the clean-up.
func TestFlows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		m := flow.NewManager(store.NewFlows(db), func() time.Time { return now })
		f, err := m.Start(ctx, flow.Start{Kind: "office.login", State: "credentials", Client: flow.Browser, CSRF: "tok", ReturnTo: "/office/audit", TTL: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		f.Data["login"] = "ivanova"
		f.Attempts++
		if err := m.Save(ctx, f); err != nil {
			t.Fatal(err)
		}
		// Another request (the tab opened again) sees what was typed.
		g, err := m.Get(ctx, f.ID, "office.login")
		if err != nil || g.Data["login"] != "ivanova" || g.Attempts != 1 || g.CSRF != "tok" || g.ReturnTo != "/office/audit" || g.Client != flow.Browser {
			t.Fatalf("resumed flow: %+v %v", g, err)
		}
		// A stale copy cannot overwrite a newer one.
		stale := *g
		g.State = "second"
		if err := m.Save(ctx, g); err != nil {
			t.Fatal(err)
		}
		if err := m.Save(ctx, &stale); !problem.Is(err, problem.Conflict) {
			t.Fatalf("stale save: %v", err)
		}
		if _, err := m.Get(ctx, f.ID, "id.registration"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a flow of another kind: %v", err)
		}
		if _, err := m.Get(ctx, "nope", "office.login"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("unknown flow: %v", err)
		}
		// A finished flow is not found again (its submission cannot be replayed).
		if err := m.Finish(ctx, g); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Get(ctx, f.ID, "office.login"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("finished flow: %v", err)
		}
		// An API flow has no CSRF token; an expired flow says so, once.
		api, err := m.Start(ctx, flow.Start{Kind: "office.login", State: "credentials", Client: flow.API, CSRF: "ignored", TTL: time.Minute})
		if err != nil || api.CSRF != "" {
			t.Fatalf("api flow: %+v %v", api, err)
		}
		now = now.Add(2 * time.Minute)
		if _, err := m.Get(ctx, api.ID, "office.login"); !flow.Expired(err) {
			t.Fatalf("expired flow: %v", err)
		}
		if _, err := m.Start(ctx, flow.Start{Kind: "office.login", State: "credentials", TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if n, err := m.Cleanup(ctx); err != nil || n < 1 {
			t.Fatalf("clean-up: %d %v", n, err)
		}
	})
}
