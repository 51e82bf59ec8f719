package rules

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// naivePair is the pair loop bestPair replaces: every rank, every a, every b.
func naivePair(as, bs []*sodAccess, sameSystem bool) (*sodAccess, *sodAccess) {
	rank := func(a, b *sodAccess) int {
		n := 0
		if !a.a.Effective {
			n++
		}
		if !b.a.Effective {
			n++
		}
		return n
	}
	for want := 0; want <= 2; want++ {
		for _, a := range as {
			for _, b := range bs {
				if rank(a, b) != want || (a.a.Resource == b.a.Resource && a.a.Action == b.a.Action) ||
					(sameSystem && a.sys != b.sys) {
					continue
				}
				return a, b
			}
		}
	}
	return nil, nil
}

// TestBestPairIsThePairLoop: on random access lists (few resources, actions
// and systems, so exclusions and ties are common) bestPair picks what the
// pair loop picks.
func TestBestPairIsThePairLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	acts := []schema.Action{schema.ActionWrite, schema.ActionApprove}
	mk := func(n int) []*sodAccess {
		out := make([]*sodAccess, n)
		for i := range out {
			out[i] = &sodAccess{a: &analysis.Access{Identity: fmt.Sprint("i", rng.IntN(2)), Resource: fmt.Sprint("r", rng.IntN(3)),
				Action: acts[rng.IntN(2)], Effective: rng.IntN(3) > 0}, sys: fmt.Sprint("s", rng.IntN(2))}
		}
		return out
	}
	found := 0
	for range 20000 {
		as, bs := mk(rng.IntN(6)), mk(rng.IntN(6))
		same := rng.IntN(2) == 0
		wa, wb := naivePair(as, bs, same)
		ga, gb := bestPair(as, bs, same)
		require.Same(t, wa, ga)
		require.Same(t, wb, gb)
		if wa != nil {
			found++
		}
	}
	require.Greater(t, found, 5000)
}
