package gen_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// TestRealismS runs the real engine on tier S seed 1 and checks that the
// estate is not one giant act-as component: who can do what on a random
// resource is a small share of the identities, and a random identity reaches
// a few hundred accesses at most (docs/generator.md, "Connectivity").
func TestRealismS(t *testing.T) {
	tier := mustTier(t, "S")
	d := generate(t, tier, 1)
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	e := reach.New(p, p.Meta.AsOf())
	rng := rand.New(rand.NewPCG(1, 2))
	const samples = 200
	var who, reached []int
	for range samples {
		r := d.ResourceList[rng.IntN(len(d.ResourceList))].ID
		a := schema.Actions[rng.IntN(len(schema.Actions))]
		acc, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: r})
		require.NoError(t, err)
		who = append(who, len(acc))
	}
	for range samples {
		x := d.IdentityList[rng.IntN(len(d.IdentityList))].ID
		acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x})
		require.NoError(t, err)
		reached = append(reached, len(acc))
	}
	slices.Sort(who)
	slices.Sort(reached)
	q := func(s []int, f float64) int { return s[min(len(s)-1, int(f*float64(len(s))))] }
	t.Logf("whocan p50 %d p99 %d, reach p50 %d p99 %d (of %d identities)", q(who, 0.5), q(who, 0.99), q(reached, 0.5), q(reached, 0.99), tier.Identities)
	require.LessOrEqual(t, q(who, 0.5), tier.Identities*2/100, "median whocan ≤ 2 percent of identities")
	require.LessOrEqual(t, q(who, 0.99), tier.Identities*10/100, "p99 whocan ≤ 10 percent of identities")
	require.Positive(t, q(who, 0.99), "some resources have authorized identities")
	require.LessOrEqual(t, q(reached, 0.5), 300, "median reach")
	require.LessOrEqual(t, q(reached, 0.99), 3_000, "p99 reach")
	require.Positive(t, q(reached, 0.5), "a typical identity can do something")
}
