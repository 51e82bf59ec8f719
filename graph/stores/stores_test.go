package stores_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/stores"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    stores.Target
		fails   bool
		wantErr error // checked with errors.Is when set
	}{
		{name: "empty is the default file", url: "", want: stores.Target{Kind: stores.KindFile, Path: "./reachgraph.db"}},
		{name: "plain relative path", url: "data/rg.db", want: stores.Target{Kind: stores.KindFile, Path: "data/rg.db"}},
		{name: "plain absolute path", url: "/var/lib/rg.db", want: stores.Target{Kind: stores.KindFile, Path: "/var/lib/rg.db"}},
		{name: "path with a colon", url: "./a:b.db", want: stores.Target{Kind: stores.KindFile, Path: "./a:b.db"}},
		{name: "windows path", url: `C:\rg\store.db`, want: stores.Target{Kind: stores.KindFile, Path: `C:\rg\store.db`}},
		{name: "file: relative", url: "file:rg.db", want: stores.Target{Kind: stores.KindFile, Path: "rg.db"}},
		{name: "file: absolute", url: "file:/tmp/rg.db", want: stores.Target{Kind: stores.KindFile, Path: "/tmp/rg.db"}},
		{name: "file:// absolute", url: "file:///tmp/rg.db", want: stores.Target{Kind: stores.KindFile, Path: "/tmp/rg.db"}},
		{name: "file: with spaces", url: "file:my store.db", want: stores.Target{Kind: stores.KindFile, Path: "my store.db"}},
		{name: "neo4j", url: "neo4j://db.example:7687", want: stores.Target{Kind: stores.KindNeo4j, URL: "neo4j://db.example:7687"}},
		{name: "neo4j+s", url: "neo4j+s://db.example", want: stores.Target{Kind: stores.KindNeo4j, URL: "neo4j+s://db.example"}},
		{name: "bolt", url: "bolt://localhost:7687", want: stores.Target{Kind: stores.KindNeo4j, URL: "bolt://localhost:7687"}},
		{name: "bolt+s upper case", url: "BOLT+S://h", want: stores.Target{Kind: stores.KindNeo4j, URL: "BOLT+S://h"}},
		{name: "empty file path", url: "file:", fails: true},
		{name: "empty file:// path", url: "file://", fails: true},
		{name: "unknown scheme", url: "postgres://h/db", fails: true, wantErr: stores.ErrUnknownScheme},
		{name: "typo of neo4j", url: "neo4k://h", fails: true, wantErr: stores.ErrUnknownScheme},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stores.Parse(tc.url)
			if tc.fails {
				require.Error(t, err)
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestErrorsHidePasswords(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{name: "unknown scheme", url: "mysql://admin:hunter2@db/x"},
		{name: "neo4j unreachable", url: "neo4j://neo4j:hunter2@127.0.0.1:1"},
		{name: "unparsable url", url: "bolt+s://neo4j:hunter2@db:7687/%zz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stores.Open(context.Background(), tc.url, stores.Options{})
			require.Error(t, err)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
	target, err := stores.Parse("neo4j://neo4j:hunter2@db:7687")
	require.NoError(t, err)
	require.NotContains(t, target.Redacted(), "hunter2")
	require.Contains(t, target.Redacted(), "db:7687")
}

func TestOpenNeo4jUnreachable(t *testing.T) {
	for _, url := range []string{"neo4j://u:hunter2@127.0.0.1:1", "bolt://127.0.0.1:1", "bolt+s://127.0.0.1:1"} {
		t.Run(url, func(t *testing.T) {
			_, err := stores.Open(context.Background(), url, stores.Options{})
			require.Error(t, err)
			require.ErrorContains(t, err, "127.0.0.1:1")
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestOpenNeo4j(t *testing.T) {
	uri := os.Getenv("REACHGRAPH_NEO4J_URI")
	if uri == "" {
		if os.Getenv("REACHGRAPH_REQUIRE_SERVERS") == "1" {
			t.Fatal("REACHGRAPH_NEO4J_URI is not set but REACHGRAPH_REQUIRE_SERVERS=1")
		}
		t.Skip("REACHGRAPH_NEO4J_URI is not set: start scripts/neo4j-test-server and export it")
	}
	var asked []string
	getenv := func(k string) string {
		asked = append(asked, k)
		return os.Getenv(k)
	}
	s, err := stores.Open(context.Background(), uri, stores.Options{Getenv: getenv})
	require.NoError(t, err)
	require.IsType(t, &neo4jstore.Store{}, s)
	require.Equal(t, []string{stores.EnvNeo4jUsername, stores.EnvNeo4jPassword}, asked)
	_, err = s.Snapshots(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	tests := []struct {
		name string
		url  string
	}{
		{name: "plain path", url: path},
		{name: "file: URL", url: "file:" + path},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := stores.Open(context.Background(), tc.url, stores.Options{LockTimeout: time.Second})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			ms, ok := s.(*memstore.Store)
			require.True(t, ok, "a file URL opens the embedded store, got %T", s)
			require.Equal(t, path, ms.Path())
		})
	}
	// Both URLs name the same file: what one writes, the other reads.
	a, err := stores.Open(context.Background(), path, stores.Options{})
	require.NoError(t, err)
	meta := storetest.Ingest(t, a, storetest.EveryFieldSet())
	require.NoError(t, a.Close())
	b, err := stores.Open(context.Background(), "file://"+path, stores.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	list, err := b.Snapshots(context.Background())
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, meta.ID, list[0].ID)
}

func TestOpenPassesLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := bolt.Open(path, 0o600, nil) // holds the exclusive lock like a committing process
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	s, err := stores.Open(context.Background(), "file:"+path, stores.Options{LockTimeout: 150 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Snapshots(context.Background())
	require.ErrorIs(t, err, memstore.ErrLocked)
	require.ErrorContains(t, err, "waited 150ms")
}

func TestOpenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := stores.Open(ctx, "", stores.Options{})
	require.ErrorIs(t, err, context.Canceled)
}
