package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// Migration 00021: a database that already holds a register (its directory of tax offices) was
// made before jurisdictions existed and is Russian.
func TestSettingJurisdictionOfOlderDatabase(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, 20); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, `INSERT INTO reg_offices (code, name, region) VALUES ('7701', 'Инспекция ФНС России № 1 по г. Москве', '77')`); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Setting(ctx, store.SettingJurisdiction); err != nil || v != "ru" {
			t.Fatalf("an older database: %q %v", v, err)
		}
		if v, err := db.InitSetting(ctx, store.SettingJurisdiction, "kg"); err != nil || v != "ru" {
			t.Fatalf("recorded again: %q %v", v, err)
		}
	})
}

// A new database has no jurisdiction until the first command records one, once, whatever the
// concurrent commands ask.
func TestSettingJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if v, err := db.Setting(ctx, store.SettingJurisdiction); err != nil || v != "" {
			t.Fatalf("a new database: %q %v", v, err)
		}
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Go(func() {
				want := "ru"
				if i%2 == 1 {
					want = "kg"
				}
				v, err := db.InitSetting(ctx, store.SettingJurisdiction, want)
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		for _, v := range got {
			if v != got[0] || v == "" {
				t.Fatalf("concurrent first commands: %v", got)
			}
		}
	})
}
