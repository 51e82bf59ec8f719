package export_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/opengraph (read them by hand before committing)")

// shared is the repository's top-level testdata directory.
var shared = filepath.Join("..", "..", "testdata")

// financeSnapshot loads the finance sample into a temporary embedded store
// and returns its snapshot.
func financeSnapshot(t *testing.T) graph.Reader {
	t.Helper()
	ctx := context.Background()
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = bundle.Load(ctx, st, []ingest.Source{{Path: filepath.Join(shared, "finance", "bundle.yaml")}}, ingest.Options{})
	require.NoError(t, err)
	r, err := st.Snapshot(ctx, "")
	require.NoError(t, err)
	return r
}

// golden compares got with the golden file name in testdata/opengraph, or
// rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(shared, "opengraph", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test ./graph/export -update and read it")
	require.Equal(t, string(want), string(got), "output differs from %s (go test ./graph/export -update rewrites it)", path)
}
