package projection

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
)

func TestIDTable(t *testing.T) {
	tab := newIDTable(4) // far too small: must grow many times
	const n = 50_000
	for i := range n {
		id := fmt.Sprintf("id-%d/\"ü\" %d", i, i*7)
		node, fresh := tab.add(id)
		require.True(t, fresh)
		require.Equal(t, int32(i), node)
	}
	for i := range n {
		id := fmt.Sprintf("id-%d/\"ü\" %d", i, i*7)
		node, ok := tab.lookup(id)
		require.True(t, ok, id)
		require.Equal(t, int32(i), node)
		require.Equal(t, id, tab.id(node))
		again, fresh := tab.add(id)
		require.False(t, fresh, "a duplicate id is refused")
		require.Equal(t, node, again)
	}
	_, ok := tab.lookup("missing")
	require.False(t, ok)
	_, ok = tab.lookup("")
	require.False(t, ok)
	require.LessOrEqual(t, 4*tab.len(), 3*len(tab.slots), "load factor stays at or below 0.75")
}

// BenchmarkBuildIDRange builds the projection of one generated estate
// (REACHGRAPH_BENCH_TIER, default S), read back from the embedded store as
// `reachgraph` does, resolving edge targets in the small per-range tables.
// (Its comparison with whole-table probes, 0.90x, is in docs/performance.md;
// the global switch that made it is gone.)
func BenchmarkBuildIDRange(b *testing.B) {
	name := os.Getenv("REACHGRAPH_BENCH_TIER")
	if name == "" {
		name = "S"
	}
	tier, err := gen.TierByName(name)
	require.NoError(b, err)
	st, err := memstore.OpenTemp(b.TempDir())
	require.NoError(b, err)
	defer st.Close()
	ctx := context.Background()
	_, err = st.Ingest(ctx, gen.Meta(tier, 1), func(w graph.Writer) error { return gen.Generate(ctx, tier, 1, w, nil) })
	require.NoError(b, err)
	r, err := st.Snapshot(ctx, "")
	require.NoError(b, err)
	for range b.N {
		_, err := Build(ctx, r)
		require.NoError(b, err)
	}
}

// TestIDTableGrowsByDoubling: growing keeps the table at twice its size (the
// memory per node is part of the projection's budget).
func TestIDTableGrowsByDoubling(t *testing.T) {
	tab := newIDTable(4)
	size := len(tab.slots)
	for i := range 10_000 {
		tab.add(fmt.Sprint(i))
		if len(tab.slots) != size {
			require.Equal(t, 2*size, len(tab.slots))
			size = len(tab.slots)
		}
	}
	r := tab.index(100, 200)
	for i := 100; i < 200; i++ {
		n, ok := r.lookup(fmt.Sprint(i))
		require.True(t, ok)
		require.Equal(t, int32(i), n)
	}
	_, ok := r.lookup("99")
	require.False(t, ok, "outside the range")
}
