package rules

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// TestGuards: only top-level conjuncts reading one access or identity field,
// a disjunction of such reads, or asking for a hop with literal field values,
// are guards; a disjunction with any other disjunct, a test-only has(), or a
// comparison with a non-literal is left to the predicate.
func TestGuards(t *testing.T) {
	hop := func(eqs ...hopEq) guard { return guard{op: gHop, hop: eqs} }
	for _, tc := range []struct {
		when string
		want []guard
	}{
		{`access.critical && path.through_exposure`, []guard{{op: gAccessCritical, want: true}}},
		{`identity.nonhuman && access.effective && access.critical && access.action == "approve"`, []guard{
			{op: gIdentityNonhuman, want: true}, {op: gAccessEffective, want: true},
			{op: gAccessCritical, want: true}, {op: gAccessAction, action: "approve"}}},
		{`"admin" == access.action && !identity.human`, []guard{
			{op: gAccessAction, action: "admin"}, {op: gIdentityHuman, want: false}}},
		{`access.critical || identity.nonhuman`, []guard{{op: gAny, any: []guard{
			{op: gAccessCritical, want: true}, {op: gIdentityNonhuman, want: true}}}}},
		{`(access.action == "admin" || access.critical) && path.hops.exists(h, h.edge == "CAN_ACT_AS" && h.native.contains("x"))`,
			[]guard{{op: gAny, any: []guard{{op: gAccessAction, action: "admin"}, {op: gAccessCritical, want: true}}},
				hop(hopEq{"edge", "CAN_ACT_AS"})}},
		{`access.effective && (!identity.owned || (access.sox || "write" == access.action))`, []guard{
			{op: gAccessEffective, want: true}, {op: gAny, any: []guard{
				{op: gIdentityOwned, want: false}, {op: gAccessSOX, want: true}, {op: gAccessAction, action: "write"}}}}},
		{`access.critical || path.length > 1`, nil},
		{`access.critical || (identity.human && access.effective)`, nil},
		{`access.critical || identity.tags["a"] == "b"`, nil},
		{`has(access.critical) && path.length > 1`, nil},
		{`access.action == identity.id`, nil},
		{`access.resource == "x" && identity.tags["a"] == "b"`, nil},
		{`(access.sox && identity.vendor_managed) && !(access.effective && path.length > 2)`, []guard{
			{op: gAccessSOX, want: true}, {op: gIdentityVendorManaged, want: true}}},
		{`path.hops.exists(g, g.edge == "GRANT" && g.action == "admin" && g.to.matches("^aws:"))`,
			[]guard{hop(hopEq{"edge", "GRANT"}, hopEq{"action", "admin"})}},
		{`access.critical && path.hops.exists(h, "CAN_ACT_AS" == h.edge && h.native.contains("x"))`,
			[]guard{{op: gAccessCritical, want: true}, hop(hopEq{"edge", "CAN_ACT_AS"})}},
		{`path.hops.exists(h, h.edge == "GRANT" || h.kind == "run_as")`, nil},
		{`path.hops.all(h, h.edge == "GRANT")`, nil},
		{`path.hops.exists_one(h, h.edge == "GRANT")`, nil},
		{`!path.hops.exists(h, h.edge == "GRANT")`, nil},
		{`path.hops.exists(h, h.native == "x")`, nil},
	} {
		_, ast, err := compile(tc.when)
		require.NoError(t, err, tc.when)
		require.Equal(t, tc.want, guards(ast), tc.when)
	}
}

// TestPassAccessAny: a disjunction holds when one of its guards does.
func TestPassAccessAny(t *testing.T) {
	_, ast, err := compile(`(access.action == "admin" || access.critical || !identity.owned) && path.length > 0`)
	require.NoError(t, err)
	gs := guards(ast)
	require.Len(t, gs, 1)
	sox := func() bool { return false }
	owned := &identityFacts{owned: true}
	for _, tc := range []struct {
		a    analysis.Access
		i    *identityFacts
		want bool
	}{
		{analysis.Access{Action: schema.ActionAdmin}, owned, true},
		{analysis.Access{Action: schema.ActionRead, Critical: true}, owned, true},
		{analysis.Access{Action: schema.ActionRead}, &identityFacts{}, true},
		{analysis.Access{Action: schema.ActionRead}, owned, false},
		{analysis.Access{Action: schema.ActionApprove}, owned, false},
	} {
		require.Equal(t, tc.want, passAccess(gs, tc.i, &tc.a, sox), "%+v %+v", tc.a, *tc.i)
	}
}

// TestPassPath: a hop guard holds when one hop meets all its equalities.
func TestPassPath(t *testing.T) {
	gs := []guard{{op: gAccessCritical, want: true}, {op: gHop, hop: []hopEq{{"edge", "GRANT"}, {"action", "admin"}}}}
	p := analysis.Path{{From: "u", Edge: schema.EdgeMemberOf, To: "g"}, {From: "g", Edge: schema.EdgeGrant, To: "r", Action: schema.ActionWrite}}
	require.False(t, passPath(gs, p))
	p = append(p, analysis.Hop{From: "g", Edge: schema.EdgeGrant, To: "aws:1", Action: schema.ActionAdmin})
	require.True(t, passPath(gs, p))
	require.True(t, passPath(gs[:1], nil), "no hop guard: every path passes")
}
