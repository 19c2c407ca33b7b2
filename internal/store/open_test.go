package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabinet/kabinet/internal/store"
)

// A database file whose path holds '#', '?' or '%' is opened where the path says.
func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c%d")
	path := filepath.Join(dir, "kabinet.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at its path: %v", err)
	}
}
