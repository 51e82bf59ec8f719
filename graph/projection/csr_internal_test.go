package projection

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndexBy: indexBy gives the CSR an edge list of (key(i), i) pairs
// builds, None keys left out, and each node's neighbours are its indexes in
// increasing order.
func TestIndexBy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		lo := int32(rng.IntN(20))
		hi := lo + int32(rng.IntN(30))
		keys := make([]int32, rng.IntN(200))
		var l edgeList
		for i := range keys {
			keys[i] = None
			if hi > lo && rng.IntN(5) > 0 {
				keys[i] = lo + int32(rng.IntN(int(hi-lo)))
				l.add(keys[i], int32(i))
			}
		}
		want := l.build(lo, hi)
		got := indexBy(lo, hi, len(keys), func(i int) int32 { return keys[i] })
		require.Equal(t, want, got)
		require.Nil(t, l.from, "build frees the list")
		for n := lo; n < hi; n++ {
			adj := got.Adj[got.Off[n-lo]:got.Off[n-lo+1]]
			require.True(t, slices.IsSorted(adj))
			for _, i := range adj {
				require.Equal(t, n, keys[i])
			}
		}
	}
}
