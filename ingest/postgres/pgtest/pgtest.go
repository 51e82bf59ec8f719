// Package pgtest gives tests a real PostgreSQL server: the URL of the one
// named by REACHGRAPH_POSTGRES_URL (scripts/postgres-test-server), and the
// sample cluster of testdata/postgres loaded into it.
package pgtest

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env names the variable holding the test server's URL (a superuser login;
// the password comes from PGPASSWORD).
const Env = "REACHGRAPH_POSTGRES_URL"

// URL returns the test server's URL. Without one the test is skipped with a
// message naming Env, or fails when REACHGRAPH_REQUIRE_SERVERS=1.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("REACHGRAPH_REQUIRE_SERVERS") == "1" {
			t.Fatalf("%s is not set but REACHGRAPH_REQUIRE_SERVERS=1 (scripts/postgres-test-server start)", Env)
		}
		t.Skipf("no PostgreSQL server: set %s (scripts/postgres-test-server start; make test-integration)", Env)
	}
	return u
}

// WithDB returns u with its database replaced by db.
func WithDB(t testing.TB, u, db string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("parse %s: %v", Env, err)
	}
	p.Path = "/" + db
	return p.String()
}

// WithUser returns u with its user replaced by user.
func WithUser(t testing.TB, u, user string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("parse %s: %v", Env, err)
	}
	p.User = url.User(user)
	return p.String()
}

// Exec runs each statement on the server at u, in order, outside any
// transaction block (CREATE DATABASE needs that).
func Exec(t testing.TB, u string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// ExecFile runs the statements of a SQL file (separated by ";" at the end
// of a line; lines starting with "--" are comments).
func ExecFile(t testing.TB, u, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			stmts = append(stmts, cur.String())
			cur.Reset()
		}
	}
	Exec(t, u, stmts...)
}

// LoadSample (re)creates the sample cluster of dir (testdata/postgres:
// cluster.sql in database postgres, finance.sql in database finance) and
// returns the URL of database finance. Roles are cluster-wide, so the test
// holds an advisory lock until it ends: tests of several packages sharing
// one server take turns.
func LoadSample(t testing.TB, u, dir string) string {
	t.Helper()
	ctx := context.Background()
	lock, err := pgx.Connect(ctx, WithDB(t, u, "postgres"))
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	t.Cleanup(func() { _ = lock.Close(ctx) }) // closing releases the lock
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(0x7265616368)); err != nil {
		t.Fatalf("lock the sample: %v", err)
	}
	ExecFile(t, WithDB(t, u, "postgres"), filepath.Join(dir, "cluster.sql"))
	fin := WithDB(t, u, "finance")
	ExecFile(t, fin, filepath.Join(dir, "finance.sql"))
	return fin
}
