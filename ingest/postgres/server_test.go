package postgres_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/postgres"
	"github.com/reachgraph/reachgraph/ingest/postgres/pgtest"
	"github.com/reachgraph/reachgraph/schema"
)

const sampleDir = "../../testdata/postgres"

// loadInto ingests one source into st with the postgres reader.
func loadInto(st *storetest.Capture, src string) error {
	_, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: src}}, ingest.Options{
		Readers: ingest.Readers{Postgres: postgres.NewReader(postgres.Options{})},
	})
	return err
}

// load ingests srcs with the postgres reader.
func load(t *testing.T, opts postgres.Options, srcs ...string) (*storetest.Capture, graph.SnapshotMeta, error) {
	t.Helper()
	st := &storetest.Capture{}
	var sources []ingest.Source
	for _, s := range srcs {
		sources = append(sources, ingest.Source{Path: s})
	}
	meta, err := ingest.Load(context.Background(), st, sources, ingest.Options{
		Readers: ingest.Readers{Postgres: postgres.NewReader(opts)},
		Now:     func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
	})
	return st, meta, err
}

// statements records the first word of every statement sent.
type statements struct {
	mu    sync.Mutex
	words map[string]int
	sql   []string
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	word := strings.ToUpper(strings.Fields(d.SQL)[0])
	if s.words == nil {
		s.words = map[string]int{}
	}
	s.words[word]++
	s.sql = append(s.sql, d.SQL)
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestReadOnlyStatements reads every database of the sample cluster and
// checks that only SELECT, SHOW, SET, BEGIN, COMMIT and ROLLBACK were sent,
// and that the reads ran in read-only REPEATABLE READ transactions.
func TestReadOnlyStatements(t *testing.T) {
	u := pgtest.URL(t)
	fin := pgtest.LoadSample(t, u, sampleDir)
	pgtest.Exec(t, u, "DROP DATABASE IF EXISTS scratch")
	tr := &statements{}
	cat, err := postgres.Fetch(context.Background(), fin, postgres.FetchOptions{AllDatabases: true, Tracer: tr})
	require.NoError(t, err)
	allowed := map[string]bool{"SELECT": true, "SHOW": true, "SET": true, "BEGIN": true, "COMMIT": true, "ROLLBACK": true}
	require.NotEmpty(t, tr.words)
	for word := range tr.words {
		require.True(t, allowed[word], "statement %s sent: %v", word, tr.sql)
	}
	require.Equal(t, tr.words["BEGIN"], tr.words["ROLLBACK"], "every transaction ends")
	require.Contains(t, tr.sql, "begin isolation level repeatable read read only")
	require.Contains(t, tr.sql, "SELECT set_config('statement_timeout', $1, true)")
	require.GreaterOrEqual(t, len(cat.Databases), 2) // finance, postgres (and any other)
	require.Equal(t, len(cat.Databases), tr.words["BEGIN"], "one transaction for the cluster catalogs and finance, one per other database")
}

// TestSampleRecords checks the records of the sample against the SQL.
func TestSampleRecords(t *testing.T) {
	fin := pgtest.LoadSample(t, pgtest.URL(t), sampleDir)
	st, meta, err := load(t, postgres.Options{Config: sampleDir + "/pg.yaml"}, fin)
	require.NoError(t, err)
	d := st.Data
	require.Equal(t, "postgres:fin-pg/finance", meta.Source)
	require.Len(t, meta.Files, 2) // pg.yaml and the catalog
	require.Equal(t, fin, meta.Files[1].Name)
	role := func(n string) string { return "postgres:fin-pg:role:" + n }
	creds := map[string]graph.Credential{}
	for _, c := range d.CredentialList {
		creds[strings.TrimPrefix(c.Identity, role(""))] = c
	}
	require.Equal(t, schema.CredTrust, creds["trusted_etl"].Type, "host all trusted_etl 127.0.0.1/32 trust")
	require.Equal(t, schema.CredPassword, creds["alice"].Type, "scram-sha-256")
	require.Equal(t, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), creds["old_contractor"].ExpiresAt)
	require.True(t, creds["alice"].ExpiresAt.IsZero())

	var dels []string
	for _, x := range d.DelegationList {
		dels = append(dels, strings.TrimPrefix(x.From, role(""))+" -> "+strings.TrimPrefix(x.To, role(""))+": "+x.Native)
	}
	require.ElementsMatch(t, []string{"bob -> alice: GRANT alice TO bob WITH INHERIT", "carol -> etl_loader: SET ROLE etl_loader"}, dels)
	members := map[string]bool{}
	for _, m := range d.MembershipList {
		members[strings.TrimPrefix(m.Member, role(""))+" -> "+strings.TrimPrefix(m.Group, role(""))] = true
	}
	for _, m := range []string{"alice -> gl_reader", "etl_loader -> gl_writer", "ap_admin -> ap_clerk", "report_svc -> pg_read_all_data", "fin_owner -> PUBLIC", "dba -> PUBLIC"} {
		require.True(t, members[m], m)
	}
	var natives []string
	for _, g := range d.GrantList {
		if g.Principal == role("ap_clerk") {
			natives = append(natives, string(g.Action)+" "+g.Native)
		}
	}
	require.ElementsMatch(t, []string{"read SELECT ON ap.vendors", "write INSERT ON ap.vendors", "write UPDATE(bank_account) ON ap.vendors WITH GRANT OPTION"}, natives)
}

// TestSameCatalogSameFiles: an unchanged catalog gives the same file hash
// (so the same snapshot id); a change gives another.
func TestSameCatalogSameFiles(t *testing.T) {
	u := pgtest.URL(t)
	fin := pgtest.LoadSample(t, u, sampleDir)
	_, a, err := load(t, postgres.Options{}, fin)
	require.NoError(t, err)
	_, b, err := load(t, postgres.Options{}, fin)
	require.NoError(t, err)
	require.Equal(t, a.Files, b.Files)
	pgtest.Exec(t, fin, "GRANT SELECT ON ap.vendors TO alice")
	_, c, err := load(t, postgres.Options{}, fin)
	require.NoError(t, err)
	require.NotEqual(t, a.Files[0].SHA256, c.Files[0].SHA256)
}

// TestSeveralSources: two URLs of one cluster, and --all-databases, declare
// the cluster's roles once.
func TestSeveralSources(t *testing.T) {
	u := pgtest.URL(t)
	fin := pgtest.LoadSample(t, u, sampleDir)
	st, meta, err := load(t, postgres.Options{}, fin, pgtest.WithDB(t, u, "postgres"))
	require.NoError(t, err)
	require.Len(t, st.Data.SystemList, 1)
	require.Contains(t, meta.Source, "/finance+postgres:")
	dbs := 0
	for _, r := range st.Data.ResourceList {
		if r.Kind == "database" {
			dbs++
		}
	}
	require.Equal(t, 2, dbs)

	st, meta, err = load(t, postgres.Options{Fetch: postgres.FetchOptions{AllDatabases: true}}, fin)
	require.NoError(t, err)
	var names []string
	for _, r := range st.Data.ResourceList {
		if r.Kind == "database" {
			names = append(names, r.Name)
		}
	}
	require.Contains(t, names, "finance")
	require.Contains(t, names, "postgres")
	require.NotContains(t, meta.Source, "/finance")
}

// TestFailures: every failure is a problem of the source, nothing is stored.
func TestFailures(t *testing.T) {
	u := pgtest.URL(t)
	fin := pgtest.LoadSample(t, u, sampleDir)
	t.Run("wrong password", func(t *testing.T) {
		t.Setenv("PGPASSWORD", "not-the-password")
		st, _, err := load(t, postgres.Options{}, fin)
		require.ErrorIs(t, err, ingest.ErrInvalid)
		require.Contains(t, err.Error(), "authentication failed")
		require.NotContains(t, err.Error(), "not-the-password")
		require.Zero(t, st.Calls)
	})
	t.Run("database dropped mid-read", func(t *testing.T) {
		pgtest.Exec(t, u, "DROP DATABASE IF EXISTS scratch", "CREATE DATABASE scratch")
		drop := func([]string) { pgtest.Exec(t, u, "DROP DATABASE scratch") }
		st, _, err := load(t, postgres.Options{Fetch: postgres.FetchOptions{AllDatabases: true, AfterList: drop}}, fin)
		require.ErrorIs(t, err, ingest.ErrInvalid)
		require.Contains(t, err.Error(), `database scratch: connect postgres@127.0.0.1`)
		require.Contains(t, err.Error(), `database "scratch" does not exist`)
		t.Log(err)
		require.Zero(t, st.Calls)
	})
	t.Run("pg_hba_file_rules not readable", func(t *testing.T) {
		t.Setenv("PGPASSWORD", "x-audit")
		st, meta, err := load(t, postgres.Options{}, pgtest.WithUser(t, fin, "audit_ro"))
		require.NoError(t, err)
		require.Contains(t, meta.Source, "approximated: pg_hba_file_rules not readable")
		for _, c := range st.Data.CredentialList {
			require.Equal(t, schema.CredPassword, c.Type, c.ID)
		}
	})
	t.Run("catalog view not readable", func(t *testing.T) {
		// A catalog's ACL is per database: revoke it where the ingest reads.
		pgtest.Exec(t, fin, "REVOKE SELECT ON pg_catalog.pg_auth_members FROM PUBLIC")
		t.Cleanup(func() { pgtest.Exec(t, fin, "GRANT SELECT ON pg_catalog.pg_auth_members TO PUBLIC") }) // runs after Setenv's restore
		t.Setenv("PGPASSWORD", "x-audit")
		st, _, err := load(t, postgres.Options{}, pgtest.WithUser(t, fin, "audit_ro"))
		require.ErrorIs(t, err, ingest.ErrInvalid)
		require.Contains(t, err.Error(), "read pg_auth_members: ERROR: permission denied for table pg_auth_members")
		require.Zero(t, st.Calls)
	})
	t.Run("bad configuration", func(t *testing.T) {
		st, _, err := load(t, postgres.Options{Config: "testdata/bad-config.yaml"}, fin)
		require.ErrorIs(t, err, ingest.ErrInvalid)
		require.Contains(t, err.Error(), "testdata/bad-config.yaml:4: field kinds not found in type postgres.TableRule")
		require.Zero(t, st.Calls)
	})
}

var update = flag.Bool("update", false, "rewrite testdata/postgres/catalog-pg15.json from the test server")

// TestRecordedCatalog compares the sample's catalog as read from the server
// with the recorded one (testdata/postgres/catalog-pg15.json, written with
// -update), which the pure tests use.
func TestRecordedCatalog(t *testing.T) {
	fin := pgtest.LoadSample(t, pgtest.URL(t), sampleDir)
	cat, err := postgres.Fetch(context.Background(), fin, postgres.FetchOptions{})
	require.NoError(t, err)
	cat.Address = "127.0.0.1:5432"
	cat.Roles = slices.DeleteFunc(cat.Roles, func(r postgres.Role) bool { return strings.HasPrefix(r.Name, "bench_") })
	cat.Members = slices.DeleteFunc(cat.Members, func(m postgres.Member) bool { return strings.HasPrefix(m.Member, "bench_") })
	path := sampleDir + "/catalog-pg15.json"
	if *update {
		data, err := json.MarshalIndent(cat, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(data, '\n'), 0o644))
	}
	want := readCatalog(t, path)
	require.Equal(t, want.Version/10000, cat.Version/10000, "same major version")
	cat.Version = want.Version
	require.Equal(t, want, cat)
}
