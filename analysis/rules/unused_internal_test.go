package rules

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// TestUnusedGrantBatches: handing the unused-grant findings out in many
// batches (by principal) gives the findings one batch gives.
func TestUnusedGrantBatches(t *testing.T) {
	tier, err := gen.TierByName("XS")
	require.NoError(t, err)
	d := &graph.Dataset{Info: gen.Meta(tier, 4)}
	require.NoError(t, gen.Generate(context.Background(), tier, 4, d, nil))
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	snap := Snapshot{Engine: reach.New(p, d.Info.AsOf()), Data: d}
	rs, err := Builtin()
	require.NoError(t, err)
	one, err := Evaluate(context.Background(), snap, rs)
	require.NoError(t, err)
	old := unusedPerBatch
	t.Cleanup(func() { unusedPerBatch = old })
	unusedPerBatch = 7
	batches := 0
	var many []Finding
	var mu sync.Mutex
	require.NoError(t, Stream(context.Background(), snap, rs, func(fs []Finding) error {
		mu.Lock() // actor batches come from several workers at once
		defer mu.Unlock()
		if fs[0].Rule == "HYG-UNUSED-GRANT" {
			batches++
		}
		many = append(many, fs...)
		return nil
	}))
	Sort(many)
	require.Greater(t, batches, 3)
	require.Equal(t, one, many)
}
