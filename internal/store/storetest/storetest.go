// Package storetest gives tests a real, fresh, migrated database on each engine kabinet supports:
// SQLite in a temp dir and PostgreSQL in a throwaway cluster that it starts itself from the local
// server binaries (initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin). Set KABINET_TEST_PG
// to a postgres:// URL of a server where the user may create databases to use that server instead.
// Without PostgreSQL the PostgreSQL half of a test is skipped, except under CI=true, where it fails.
//
// A package that uses PostgreSQL through this package calls Main from its TestMain so that the
// cluster it started is stopped when its tests end.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/scratch"
	"github.com/kabinet/kabinet/internal/store"
)

// Each runs fn as a subtest against a fresh migrated SQLite database and a fresh migrated
// PostgreSQL database ("sqlite" and "postgres").
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh migrated SQLite database in t.TempDir(), closed at the end of the test.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return migrated(t, open(t, filepath.Join(t.TempDir(), "kabinet.db")))
}

// Postgres returns a fresh migrated PostgreSQL database (a new database on the shared test
// cluster), dropped at the end of the test.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return migrated(t, open(t, postgresDSN(t)))
}

// EachEmpty runs fn once on an empty, not migrated SQLite database and once on an empty
// PostgreSQL one: for tests of the migrations themselves.
func EachEmpty(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, open(t, filepath.Join(t.TempDir(), "kabinet.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, open(t, postgresDSN(t))) })
}

// postgresDSN creates a database on the shared test cluster, dropped at the end of the test.
func postgresDSN(t testing.TB) string {
	t.Helper()
	admin, err := server()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true: %v", err)
		}
		t.Skipf("PostgreSQL not available: %v", err)
	}
	name := "kt_" + randomHex(8)
	ctx := context.Background()
	adminDB, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer adminDB.Close()
	if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return withDatabase(admin, name)
}

// URL returns a postgres:// URL of a fresh, empty (not migrated) database for tests that drive
// the kabinet binary or the server themselves; the database is dropped at the end of the test.
func URL(t testing.TB) string {
	t.Helper()
	return postgresDSN(t)
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func migrated(t testing.TB, db *store.DB) *store.DB {
	t.Helper()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// Main runs the package's tests and then stops the PostgreSQL cluster this process started.
// Use it as: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	stop()
	os.Exit(code)
}

var (
	once      sync.Once
	adminURL  string
	serverErr error
	cluster   *pgCluster
	mu        sync.Mutex
)

func server() (string, error) {
	once.Do(func() {
		if u := os.Getenv("KABINET_TEST_PG"); u != "" {
			adminURL = u
			return
		}
		cluster, serverErr = startCluster()
		if serverErr == nil {
			adminURL = cluster.url
		}
	})
	return adminURL, serverErr
}

func stop() {
	mu.Lock()
	defer mu.Unlock()
	if cluster != nil {
		cluster.stop()
		cluster = nil
	}
}

type pgCluster struct {
	dir, bin, url string
	asUser        []string // prefix running a command as the postgres user when we are root
}

// FindBin returns the directory holding the PostgreSQL server binaries (initdb, pg_ctl).
func FindBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb/pg_ctl not found on PATH or under /usr/lib/postgresql/*/bin")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func startCluster() (*pgCluster, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	dir, err := scratch.Dir("kabinet-pg-", stopOrphan)
	if err != nil {
		return nil, err
	}
	c := &pgCluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, err
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, err
		}
		c.asUser = []string{runuser, "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.cmd("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=1GB", port, dir)
	if out, err := c.cmd("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	// Wait until it accepts connections.
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := sql.Open("pgx", c.url)
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("postgres did not come up: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c, nil
}

// stopOrphan stops the server of a cluster whose test binary ended without stopping it (it was
// killed), before its directory is removed.
func stopOrphan(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if pid, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && scratch.Alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown
		for i := 0; i < 50 && scratch.Alive(pid); i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func (c *pgCluster) cmd(name string, args ...string) *exec.Cmd {
	full := append(append([]string{}, c.asUser...), filepath.Join(c.bin, name))
	full = append(full, args...)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Dir = c.dir
	return cmd
}

func (c *pgCluster) stop() {
	_ = c.cmd("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(c.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func withDatabase(u, name string) string {
	i := strings.LastIndex(u, "/")
	q := ""
	if j := strings.Index(u[i:], "?"); j >= 0 {
		q = u[i+j:]
	}
	return u[:i+1] + name + q
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
