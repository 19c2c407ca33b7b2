package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The application is built in its database's jurisdiction: the first one records it, a later one
// without a profile follows it, one with another profile is refused; the register and the sites
// get the profile.
func TestApplicationProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		build := func(p jurisdiction.Profile) (*app.App, error) {
			return app.New(ctx, app.Config{DB: db, Profile: p, Log: slog.New(slog.DiscardHandler),
				Hasher: password.NewHasherWith(password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 0),
				OIDC:   app.OIDC{SecretKey: []byte("kabinet-test-secret-key-32-bytes")}})
		}
		a, err := build(jurisdiction.MustLookup(jurisdiction.KG))
		if err != nil {
			t.Fatal(err)
		}
		if a.Profile.Code != jurisdiction.KG || a.Register.Profile().Code != jurisdiction.KG || !a.Register.Recorded() {
			t.Fatalf("profile %s, register's %s", a.Profile.Code, a.Register.Profile().Code)
		}
		offices, err := a.Register.Offices(ctx)
		if err != nil || len(offices) == 0 || len(offices[0].Code) != 3 {
			t.Fatalf("the УГНС: %v %v", offices, err)
		}
		if a, err = build(jurisdiction.Profile{}); err != nil || a.Profile.Code != jurisdiction.KG {
			t.Fatalf("no profile: %v %v", a, err)
		}
		if _, err = build(jurisdiction.MustLookup(jurisdiction.RU)); err == nil || !strings.Contains(err.Error(), `belongs to the jurisdiction "kg"`) {
			t.Fatalf("another profile: %v", err)
		}
	})
}
