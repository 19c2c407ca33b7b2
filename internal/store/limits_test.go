package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// Reset deletes the counters it names, all of them and only them: the next attempt on each
// starts a new window, while a counter it did not name goes on counting.
func TestLimitsResetNamedCounters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := store.NewLimits(db)
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		rule := limits.Rule{Max: 10, Window: time.Hour}
		keys := []string{"t:client:a", "t:overall:b", "t:client:c"}
		for range 3 {
			for _, k := range keys {
				if _, _, err := l.HitRule(ctx, k, now, rule); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := l.Reset(ctx, keys[0], keys[1]); err != nil {
			t.Fatal(err)
		}
		if err := l.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]int{keys[0]: 1, keys[1]: 1, keys[2]: 4} {
			if hits, _, err := l.HitRule(ctx, k, now, rule); err != nil || hits != want {
				t.Errorf("%s after the reset: %d hits, want %d (%v)", k, hits, want, err)
			}
		}
	})
}
