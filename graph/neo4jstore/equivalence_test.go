package neo4jstore_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// TestAnswersMatchEmbeddedStore loads every shared fixture into the embedded
// store and into Neo4j and requires byte-identical WhoCan and Reach answers.
func TestAnswersMatchEmbeddedStore(t *testing.T) {
	rules, err := filepath.Glob("../../testdata/rules/*/bundle.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, rules)
	fixtures := append([]string{"../../testdata/finance/bundle.yaml"}, rules...)
	neo := openEmpty(t)
	for _, path := range fixtures {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			mem, err := memstore.Open(filepath.Join(t.TempDir(), "store.db"))
			require.NoError(t, err)
			t.Cleanup(func() { _ = mem.Close() })
			want := answers(t, mem, path)
			got := answers(t, neo, path)
			require.Equal(t, len(want), len(got))
			for q, w := range want {
				require.JSONEq(t, w, got[q], q) // readable diff first…
				require.Equal(t, w, got[q], q)  // …then byte-identical
			}
		})
	}
}

// answers loads path into st and returns the JSON of every WhoCan (each
// resource and system × action) and Reach (each identity) query, by query.
func answers(t *testing.T, st graph.Store, path string) map[string]string {
	t.Helper()
	fixed := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	meta, err := bundle.Load(context.Background(), st, []ingest.Source{{Path: path}}, ingest.Options{Now: func() time.Time { return fixed }})
	require.NoError(t, err)
	return answersOf(t, st, meta)
}

// TestRandomGraphsMatchEmbeddedStore runs seeded synthetic graphs (memberships
// with cycles, grants of every action on resources and systems, credentials,
// delegations) through both stores and requires byte-identical answers.
func TestRandomGraphsMatchEmbeddedStore(t *testing.T) {
	neo := openEmpty(t)
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	for seed := 1; seed <= seeds; seed++ {
		d := storetest.Synthetic(80+seed%50, uint64(seed))
		mem, err := memstore.OpenTemp(t.TempDir())
		require.NoError(t, err)
		want := answersOf(t, mem, storetest.Ingest(t, mem, d))
		require.NoError(t, mem.Close())
		got := answersOf(t, neo, storetest.Ingest(t, neo, d))
		require.Equal(t, len(want), len(got), "seed %d", seed)
		for q, w := range want {
			require.Equal(t, w, got[q], "seed %d: %s", seed, q)
		}
	}
}

// answersOf returns the JSON of every WhoCan (each resource and system ×
// action) and Reach (each identity) query on snapshot meta of st, by query.
func answersOf(t *testing.T, st graph.Store, meta graph.SnapshotMeta) map[string]string {
	t.Helper()
	ctx := context.Background()
	r, err := st.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	d, err := graph.ReadAll(ctx, r)
	require.NoError(t, err)
	e := reach.New(p, meta.AsOf())

	out := map[string]string{}
	add := func(q string, v any, err error) {
		require.NoError(t, err, q)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out[q] = string(b)
	}
	var targets []string
	for _, s := range d.SystemList {
		targets = append(targets, s.ID)
	}
	for _, res := range d.ResourceList {
		targets = append(targets, res.ID)
	}
	for _, target := range targets {
		for _, a := range schema.Actions {
			acc, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: target})
			add("whocan "+string(a)+" "+target, acc, err)
		}
	}
	for _, id := range d.IdentityList {
		acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: id.ID})
		add("reach "+id.ID, acc, err)
	}
	require.NotEmpty(t, out)
	return out
}
