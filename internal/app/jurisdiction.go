package app

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/store"
)

// DatabaseProfile returns the jurisdiction db belongs to (package jurisdiction), the one value
// every domain package and site of the application is built with. A database gets its
// jurisdiction once, from the first command that opens it — asked (`--profile`), or the default
// (Russia) when asked is "" — and keeps it: every later command follows it, and one asked for
// another jurisdiction fails with a message that says which one the database has. A database
// made before jurisdictions existed is Russian (migration 00021).
func DatabaseProfile(ctx context.Context, db *store.DB, asked jurisdiction.Code) (jurisdiction.Profile, error) {
	if asked != "" {
		if _, err := jurisdiction.Lookup(asked); err != nil {
			return jurisdiction.Profile{}, fmt.Errorf("--profile: %w", err)
		}
	}
	stored, err := db.Setting(ctx, store.SettingJurisdiction)
	if err != nil {
		return jurisdiction.Profile{}, fmt.Errorf("the database's jurisdiction: %w", err)
	}
	if stored == "" {
		first := asked
		if first == "" {
			first = jurisdiction.Default
		}
		if stored, err = db.InitSetting(ctx, store.SettingJurisdiction, string(first)); err != nil {
			return jurisdiction.Profile{}, fmt.Errorf("record the database's jurisdiction: %w", err)
		}
	}
	if asked != "" && jurisdiction.Code(stored) != asked {
		return jurisdiction.Profile{}, fmt.Errorf("the database belongs to the jurisdiction %q, chosen when it was created; it cannot be used with --profile %s "+
			"(leave --profile out, or give --profile %s)", stored, asked, stored)
	}
	p, err := jurisdiction.Lookup(jurisdiction.Code(stored))
	if err != nil {
		return jurisdiction.Profile{}, fmt.Errorf("the database's jurisdiction: %w", err)
	}
	return p, nil
}
