package reach_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
)

// TestConcurrentReachSharesCache: searches running at once on one engine
// share what it caches between them (the credentials stored under a read
// grant's target), and give the answers a fresh engine gives one identity at
// a time — in any order, exposures and expired or revoked stored
// credentials included (run it under -race too).
func TestConcurrentReachSharesCache(t *testing.T) {
	ctx := context.Background()
	checked := 0
	for seed := uint64(1); seed <= 80; seed++ {
		o := genOpts{}
		if seed%4 == 0 {
			o.scale = 4
		}
		d := genGraph(seed, o)
		answer := func(e *reach.Engine, id string) string {
			accs, err := e.Reach(ctx, reach.ReachQuery{Identity: id, Alternates: 3})
			if err != nil {
				return "error: " + err.Error()
			}
			b, err := json.Marshal(accs)
			if err != nil {
				return "error: " + err.Error()
			}
			return string(b)
		}
		want := map[string]string{}
		for _, i := range d.IdentityList {
			fresh, _, err := buildEngine(d, refAsOf) // nothing cached from other identities
			require.NoError(t, err)
			want[i.ID] = answer(fresh, i.ID)
		}
		shared, _, err := buildEngine(d, refAsOf)
		require.NoError(t, err)
		var wg sync.WaitGroup
		got := make([]map[string]string, 4)
		for w := range got {
			got[w] = map[string]string{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := len(d.IdentityList)
				for k := range n { // each worker its own order
					i := d.IdentityList[(k*(w+1)+w)%n]
					got[w][i.ID] = answer(shared, i.ID)
				}
			}()
		}
		wg.Wait()
		for w := range got {
			for id, a := range got[w] {
				require.Equal(t, want[id], a, "seed %d, worker %d, identity %q", seed, w, id)
				checked++
			}
		}
	}
	require.Greater(t, checked, 1000)
}
