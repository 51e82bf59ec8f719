// Package reachtest holds the helpers reader tests use to ask the reach
// engine about a dataset they loaded.
package reachtest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// Engine builds the reach engine over d, evaluated at asOf.
func Engine(t testing.TB, d *graph.Dataset, asOf time.Time) *reach.Engine {
	t.Helper()
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	return reach.New(p, asOf)
}

// Generated generates the estate of a size tier (gen.TierByName) from seed
// and builds the engine over it at the estate's as_of.
func Generated(t testing.TB, tier string, seed int64) (*graph.Dataset, *reach.Engine) {
	t.Helper()
	tr, err := gen.TierByName(tier)
	require.NoError(t, err)
	d := &graph.Dataset{Info: gen.Meta(tr, seed)}
	require.NoError(t, gen.Generate(context.Background(), tr, seed, d, nil))
	return d, Engine(t, d, d.Info.AsOf())
}

// WhoCan is the set of identities authorized for action a on res, by
// identity id, each with its access (first evidence path included).
func WhoCan(t testing.TB, e *reach.Engine, a schema.Action, res string) map[string]analysis.Access {
	t.Helper()
	acc, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: res})
	require.NoError(t, err)
	out := make(map[string]analysis.Access, len(acc))
	for _, x := range acc {
		out[x.Identity] = x
	}
	return out
}

// IDs is the sorted identity ids of a WhoCan answer.
func IDs(m map[string]analysis.Access) []string {
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
