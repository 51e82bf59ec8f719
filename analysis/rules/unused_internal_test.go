package rules

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUnusedGrantBatches: handing the unused-grant findings out in many
// batches (by principal) gives the findings one batch gives.
func TestUnusedGrantBatches(t *testing.T) {
	snap := generated(t, "XS", 4)
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
