package rules_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// TestEverySoDPairTriggers builds, for every built-in SoD rule, the smallest
// estate its two functions describe — one person holding function A on one
// resource and function B on another — and requires the rule to fire
// (effective), and not to fire when the person holds only one side.
func TestEverySoDPairTriggers(t *testing.T) {
	rs, err := rules.Builtin()
	require.NoError(t, err)
	n := 0
	for _, r := range rs.Rules {
		if r.Kind != rules.KindSoD || r.SoD == nil {
			continue
		}
		n++
		t.Run(r.ID, func(t *testing.T) {
			fa, ok := rs.Functions[r.SoD.A]
			require.True(t, ok, "function %s", r.SoD.A)
			fb, ok := rs.Functions[r.SoD.B]
			require.True(t, ok, "function %s", r.SoD.B)
			both := sodEstate(t, fa.Select[0], fb.Select[0], true)
			require.NotNil(t, sodFinding(t, both, r.ID), "%s must fire for one person holding both functions", r.ID)
			require.True(t, sodFinding(t, both, r.ID).Effective)
			one := sodEstate(t, fa.Select[0], fb.Select[0], false)
			require.Nil(t, sodFinding(t, one, r.ID), "%s must not fire on one side alone", r.ID)
		})
	}
	require.GreaterOrEqual(t, n, 20, "standards.md §4.6 has 20 pairs")
}

func sodFinding(t *testing.T, d *graph.Dataset, rule string) *rules.Finding {
	t.Helper()
	return find(evaluate(t, d, ""), rule, "pat")
}

// sodEstate gives identity pat a grant matching selector a and, when both, one
// matching selector b.
func sodEstate(t *testing.T, a, b rules.Selector, both bool) *graph.Dataset {
	t.Helper()
	d := &graph.Dataset{Info: graph.SnapshotMeta{ID: "s-sod", CollectedAt: asOf}}
	systems := map[string]bool{}
	add := func(name string, sel rules.Selector) string {
		sys := "erp"
		if len(sel.Systems) > 0 {
			sys = sel.Systems[0]
		}
		if !systems[sys] {
			systems[sys] = true
			d.SystemList = append(d.SystemList, graph.System{ID: sys, Kind: "erp", SOXScope: true})
		}
		id := name
		if len(sel.IDs) > 0 {
			id = sel.IDs[0]
		}
		kind := "other"
		if len(sel.Kinds) > 0 {
			kind = sel.Kinds[0]
		}
		res := graph.Resource{ID: id, System: sys, Kind: kind}
		if sel.SOX != nil {
			v := *sel.SOX
			res.SOXScope = &v
		}
		d.ResourceList = append(d.ResourceList, res)
		require.NotEmpty(t, sel.Actions)
		d.GrantList = append(d.GrantList, grant("pat", sel.Actions[0], id))
		return id
	}
	add("res-a", a)
	if both {
		add("res-b", b)
	}
	d.IdentityList = []graph.Identity{{ID: "pat", Type: schema.IdentityHuman, Status: schema.StatusActive,
		Purpose: "finance", Owners: graph.Owners{Business: "CFO", Technical: "IAM"}, LastUsedAt: daysAgo(1)}}
	d.CredentialList = []graph.Credential{{ID: "c-pat", Identity: "pat", Type: schema.CredFederated, CreatedAt: daysAgo(10)}}
	return d
}
