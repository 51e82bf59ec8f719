package neo4jstore_test

import (
	"context"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// TestWhoCanCypherMatchesEngine runs the analyst Cypher of docs/neo4j.md on
// every resource and system of the finance sample and on 20 resources of a
// seeded generated estate, for every action, and on 20 resources of a dense
// seeded synthetic graph (one action each: there a query takes about a
// second), and requires the engine's authorized and effective identity
// sets, each exactly.
func TestWhoCanCypherMatchesEngine(t *testing.T) {
	exposures := neo4jstore.DefaultCypherExposures
	if v := os.Getenv("REACHGRAPH_CYPHER_EXPOSURES"); v != "" { // to find the depth the graphs need
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		exposures = n
	}
	neo := openEmpty(t)
	ctx := context.Background()
	fixed := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	fin, err := bundle.Load(ctx, neo, []ingest.Source{{Path: "../../testdata/finance/bundle.yaml"}},
		ingest.Options{Now: func() time.Time { return fixed }})
	require.NoError(t, err)
	d := generated(t, "XS", 3)
	genMeta, err := neo.Ingest(ctx, d.Info, d.WriteTo)
	require.NoError(t, err)
	// windows on grants, disabled identities, delegations bound to a
	// system, credentials stored in resources with parents
	synMeta := storetest.Ingest(t, neo, storetest.Synthetic(2000, 11))

	for _, tc := range []struct {
		meta graph.SnapshotMeta
		pick int  // resources checked, 0 for every resource and system
		all  bool // every action on each, else one (cycling), to bound the time
	}{{fin, 0, true}, {genMeta, 20, true}, {synMeta, 20, false}} {
		t.Run(tc.meta.Source, func(t *testing.T) {
			e, targets := engineOn(t, neo, tc.meta, tc.pick)
			var nonEmpty int
			for i, target := range targets {
				actions := schema.Actions
				if !tc.all {
					actions = actions[i%len(actions) : i%len(actions)+1]
				}
				for _, a := range actions {
					accs, err := e.WhoCan(ctx, reach.WhoCanQuery{Resource: target, Action: a})
					require.NoError(t, err)
					wantAuth, wantEff := []string{}, []string{}
					for _, acc := range accs {
						wantAuth = append(wantAuth, acc.Identity)
						if acc.Effective {
							wantEff = append(wantEff, acc.Identity)
						}
					}
					auth, eff, err := neo.WhoCanCypher(ctx, tc.meta.ID, target, a, e.AsOf(), exposures)
					require.NoError(t, err)
					require.Equal(t, wantAuth, auth, "authorized %s %s", a, target)
					require.Equal(t, wantEff, eff, "effective %s %s", a, target)
					if len(wantEff) > 0 {
						nonEmpty++
					}
				}
			}
			require.Positive(t, nonEmpty, "some answers are not empty")
		})
	}
}

// engineOn builds the engine on snapshot meta of st and returns it with the
// resources to check: pick of them evenly spread over the sorted ids, or
// every resource and system when pick is 0.
func engineOn(t testing.TB, st graph.Store, meta graph.SnapshotMeta, pick int) (*reach.Engine, []string) {
	t.Helper()
	ctx := context.Background()
	r, err := st.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	d, err := graph.ReadAll(ctx, r)
	require.NoError(t, err)
	var ids []string
	for _, res := range d.ResourceList {
		ids = append(ids, res.ID)
	}
	sort.Strings(ids)
	if pick == 0 {
		for _, s := range d.SystemList {
			ids = append(ids, s.ID)
		}
		return reach.New(p, meta.AsOf()), ids
	}
	var out []string
	for i := range pick {
		out = append(out, ids[i*len(ids)/pick])
	}
	return reach.New(p, meta.AsOf()), slices.Compact(out)
}
