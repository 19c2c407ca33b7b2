package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/store"
)

// Commits of a SQLite database leave their pages in the write-ahead log, below the size at
// which a commit checkpoints by itself; the DB's checkpointer copies them into the database
// file meanwhile. The file is read as it is on disk, the log ignored (immutable=1): the rows
// appear there only once a checkpoint has copied them.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kabinet.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if _, err := db.SQL.ExecContext(ctx, `INSERT INTO t (n, v) VALUES ($1, $2)`, i, fmt.Sprintf("row %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	onDisk := func() int {
		file, err := sql.Open("sqlite", "file:"+path+"?mode=ro&immutable=1")
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		var n int
		if err := file.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			return -1 // the table itself is still only in the log
		}
		return n
	}
	deadline := time.Now().Add(30 * time.Second)
	for onDisk() != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file holds %d of the 200 rows committed: the log was never copied back", onDisk())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
