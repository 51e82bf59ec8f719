package rules

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// A finding lists its distinct evidence paths, the best match's first, at
// most maxPaths of them, and counts the other distinct ones. Paths are
// shared between accesses (Reach renders one per grant), so the same path
// comes many times; a path with the same hops held apart is the same
// evidence; paths of equal length with other hops are other evidence.
func TestSummarizeDistinctPaths(t *testing.T) {
	path := func(via string) analysis.Path {
		return analysis.Path{
			{From: "id-1", Edge: schema.EdgeMemberOf, To: via},
			{From: via, Edge: schema.EdgeGrant, To: "erp", Action: schema.ActionApprove},
		}
	}
	shared, sameHops := path("g-a"), path("g-a")
	others := []analysis.Path{path("g-b"), path("g-c"), path("g-d"), path("g-e")}
	var ms []match
	for _, r := range []string{"r1", "r2", "r3"} { // three resources through one shared path
		ms = append(ms, match{a: &analysis.Access{Identity: "id-1", Resource: r, Action: schema.ActionApprove}, p: shared})
	}
	ms = append(ms, match{a: &analysis.Access{Identity: "id-1", Resource: "r4", Action: schema.ActionApprove}, p: sameHops})
	for i, p := range others {
		ms = append(ms, match{a: &analysis.Access{Identity: "id-1", Resource: "s" + string(rune('1'+i)), Action: schema.ActionApprove}, p: p})
	}
	var f Finding
	f.summarize(ms, ms[5]) // best: the one through g-c
	require.Equal(t, []analysis.Path{path("g-c"), path("g-a"), path("g-b")}, f.Paths)
	require.Equal(t, 2, f.PathsOmitted, "g-d and g-e; g-a's repeats and its copy are not other evidence")
	var res []string
	for _, c := range f.Accesses {
		res = append(res, c.Resource)
	}
	require.Equal(t, 8, len(res))
	require.True(t, slices.Contains(res, "r4"))
}

// A finding lists at most maxAccesses resources, the best match's first,
// each with every action matched on it even when the match comes after the
// cap was reached, and counts the other resources once each. The sets
// summarize keeps are reused from finding to finding: a second finding
// starts from nothing.
func TestSummarizeAccessesCap(t *testing.T) {
	acc := func(r string, a schema.Action, eff bool) match {
		return match{a: &analysis.Access{Identity: "id-1", Resource: r, Action: a, Effective: eff}}
	}
	var ms []match
	for i := range maxAccesses + 5 {
		ms = append(ms, acc(fmt.Sprintf("r%02d", i), schema.ActionRead, false))
	}
	// After the cap: another action on a listed resource and on an omitted
	// one, and an effective match on a listed one.
	ms = append(ms, acc("r00", schema.ActionApprove, false), acc("r24", schema.ActionApprove, false), acc("r01", schema.ActionWrite, true))
	best := ms[3]
	var f Finding
	f.summarize(ms, best)
	require.Len(t, f.Accesses, maxAccesses)
	require.Equal(t, 5, f.AccessesOmitted, "r20…r24, each counted once")
	require.Equal(t, "r03", f.Accesses[0].Resource, "best first")
	byRes := map[string]Covered{}
	for _, c := range f.Accesses {
		byRes[c.Resource] = c
	}
	require.ElementsMatch(t, []schema.Action{schema.ActionRead, schema.ActionApprove}, byRes["r00"].Actions)
	require.True(t, byRes["r01"].Effective)
	require.False(t, byRes["r02"].Effective)
	require.NotContains(t, byRes, "r24")

	var g Finding
	g.summarize(ms[:2], ms[1])
	require.Equal(t, 0, g.AccessesOmitted)
	require.Equal(t, []string{"r01", "r00"}, []string{g.Accesses[0].Resource, g.Accesses[1].Resource})
}
