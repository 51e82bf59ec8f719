package reach_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// R1/R2/R3a with validity windows, at the exact bounds: an edge counts from
// valid_from (inclusive) until expires_at (exclusive).
func TestRuleWindowBoundaries(t *testing.T) {
	ms := time.Millisecond
	b := newTB().sys("erp", false).res("erp:je", "erp", "").group("g").grant("g", schema.ActionWrite, "erp:je").
		ident("a", true).cred("c-a", "a", "").
		ident("b", true).cred("c-b", "b", "").
		ident("c", true).cred("c-c", "c", "").
		ident("d", true).cred("c-d", "d", "").
		ident("t", true).cred("c-t", "t", "").grant("t", schema.ActionWrite, "erp:je").
		ident("e", true).cred("c-e", "e", "").
		ident("f", true).cred("c-f", "f", "").
		ident("h", true).cred("c-h", "h", "").
		ident("i", true).cred("c-i", "i", "").
		ident("j", true).cred("c-j", "j", "").group("g1").group("g2").grant("g1", schema.ActionWrite, "erp:je")
	d := b.d
	d.PutMembership(graph.Membership{Member: "a", Group: "g", ValidFrom: refAsOf})                   // counts from as_of on
	d.PutMembership(graph.Membership{Member: "b", Group: "g", ValidFrom: refAsOf.Add(ms)})           // not yet
	d.PutMembership(graph.Membership{Member: "c", Group: "g", ExpiresAt: refAsOf})                   // expired at as_of
	d.PutMembership(graph.Membership{Member: "d", Group: "g", ExpiresAt: refAsOf.Add(ms)})           // still good
	d.PutDelegation(graph.Delegation{From: "e", To: "t", ExpiresAt: refAsOf})                        // expired
	d.PutDelegation(graph.Delegation{From: "f", To: "t", ValidFrom: refAsOf.Add(-30 * time.Minute)}) // good
	d.PutGrant(graph.Grant{Principal: "h", Action: schema.ActionWrite, Resource: "erp:je", ValidFrom: refAsOf.Add(time.Hour)})
	d.PutGrant(graph.Grant{Principal: "i", Action: schema.ActionWrite, Resource: "erp:je", ValidFrom: refAsOf, ExpiresAt: refAsOf.Add(ms)})
	// j → g2 → g1 holds the grant, but g2 → g1 expired: a cycle g1 ⇄ g2 that
	// no longer closes, and no principal set through it.
	d.PutMembership(graph.Membership{Member: "j", Group: "g2"})
	d.PutMembership(graph.Membership{Member: "g1", Group: "g2"})
	d.PutMembership(graph.Membership{Member: "g2", Group: "g1", ExpiresAt: refAsOf})
	expectWhoCan(t, d, refAsOf, "erp:je", schema.ActionWrite, map[string]want{
		"a": {true, 2},
		"d": {true, 2},
		"t": {true, 1},
		"f": {true, 2},
		"i": {true, 1},
	})
	// An hour earlier: c, e, j (through the cycle) count; a, f, i do not yet;
	// b and h at neither instant.
	expectWhoCan(t, d, refAsOf.Add(-time.Hour), "erp:je", schema.ActionWrite, map[string]want{
		"c": {true, 2},
		"d": {true, 2},
		"t": {true, 1},
		"e": {true, 2},
		"j": {true, 3},
	})

	e, _, err := buildEngine(d, refAsOf)
	require.NoError(t, err)
	accs, err := e.Reach(reach.ReachQuery{Identity: "i"})
	require.NoError(t, err)
	require.Len(t, accs, 1)
	h := accs[0].Paths[0][0]
	require.Equal(t, refAsOf, h.ValidFrom, "the grant hop shows its window")
	require.Equal(t, refAsOf.Add(ms), h.ExpiresAt)
	accs, err = e.Reach(reach.ReachQuery{Identity: "d"})
	require.NoError(t, err)
	require.Len(t, accs, 1)
	require.Equal(t, schema.EdgeMemberOf, accs[0].Paths[0][0].Edge)
	require.True(t, accs[0].Paths[0][0].ValidFrom.IsZero())
	require.Equal(t, refAsOf.Add(ms), accs[0].Paths[0][0].ExpiresAt, "the membership hop shows its window")
	require.True(t, accs[0].Paths[0][1].ExpiresAt.IsZero(), "the grant without a window shows none")
}
