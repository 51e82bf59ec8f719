package gqlserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

// TestViewsBoundedInBytes: the cache of open snapshots keeps within its byte
// budget by dropping the least recently used views, always keeping the one
// just used; without a byte bound the count bound holds.
func TestViewsBoundedInBytes(t *testing.T) {
	ctx := context.Background()
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	finance, err := os.ReadFile(filepath.Join("..", "..", "testdata", "finance", "bundle.yaml"))
	require.NoError(t, err)
	var ids []graph.SnapshotID
	for _, label := range []string{"a", "b", "c"} {
		path := filepath.Join(t.TempDir(), "b.yaml")
		doc := strings.Replace(string(finance), "source: acme-finance-2026-10", "source: acme-"+label, 1)
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
		meta, err := ingest.Load(ctx, st, []ingest.Source{{Path: path}}, ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}})
		require.NoError(t, err)
		ids = append(ids, meta.ID)
	}
	vs := newViews(st)
	first, err := vs.get(ctx, ids[0])
	require.NoError(t, err)
	one := first.sess.Bytes()
	require.Positive(t, one)
	vs.maxBytes = one + one/2 // room for one view, not two
	for _, id := range ids[1:] {
		_, err := vs.get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 1, vs.len(), "over budget: only the view just used stays")
	}
	_, kept := vs.byID[ids[2]]
	require.True(t, kept, "the most recently used view is kept")

	vs = newViews(st) // no byte bound: the count bound (4) holds
	for _, id := range ids {
		_, err := vs.get(ctx, id)
		require.NoError(t, err)
	}
	require.Equal(t, 3, vs.len())
}
