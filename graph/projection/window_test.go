package projection_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
)

func TestWindowLive(t *testing.T) {
	tests := []struct {
		name string
		w    projection.Window
		at   int64
		want bool
	}{
		{name: "unbounded", w: projection.Always, at: 5, want: true},
		{name: "at valid_from counts", w: projection.Window{From: 5, Until: projection.NoTime}, at: 5, want: true},
		{name: "before valid_from", w: projection.Window{From: 5, Until: projection.NoTime}, at: 4, want: false},
		{name: "just before expires_at", w: projection.Window{From: projection.NoTime, Until: 5}, at: 4, want: true},
		{name: "at expires_at no longer", w: projection.Window{From: projection.NoTime, Until: 5}, at: 5, want: false},
		{name: "inside both", w: projection.Window{From: 3, Until: 5}, at: 4, want: true},
		{name: "empty window", w: projection.Window{From: 5, Until: 5}, at: 5, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, tc.w.Live(tc.at)) })
	}
}

// TestEdgeWindows: the projection keeps the windows of windowed edges only
// and answers liveness per edge; a membership pair listed twice, once without
// a window, always counts.
func TestEdgeWindows(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	ns := func(d int) int64 { return projection.Nano(day(d)) }
	d := &graph.Dataset{
		Info:         graph.SnapshotMeta{Source: "w"},
		SystemList:   []graph.System{{ID: "s"}},
		IdentityList: []graph.Identity{{ID: "a"}, {ID: "b"}},
		GroupList:    []graph.Group{{ID: "g1"}, {ID: "g2"}, {ID: "g3"}},
		MembershipList: []graph.Membership{
			{Member: "a", Group: "g1", ValidFrom: day(10)},
			{Member: "a", Group: "g2", ExpiresAt: day(10)},
			{Member: "a", Group: "g2", ValidFrom: day(20)},
			{Member: "b", Group: "g3", ExpiresAt: day(10)},
			{Member: "b", Group: "g3"},
			{Member: "g1", Group: "g2"},
			{Member: "g2", Group: "g1", ExpiresAt: day(15)},
		},
		GrantList: []graph.Grant{
			{Principal: "a", Action: "read", Resource: "s"},
			{Principal: "a", Action: "read", Resource: "s", ValidFrom: day(10), ExpiresAt: day(20)},
		},
		DelegationList: []graph.Delegation{{From: "a", To: "b"}, {From: "b", To: "a", ExpiresAt: day(10)}},
	}
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	n := func(id string) int32 {
		v, ok := p.Lookup(id)
		require.True(t, ok)
		return v
	}
	a, b, g1, g2, g3 := n("a"), n("b"), n("g1"), n("g2"), n("g3")
	require.True(t, p.HasWindows())

	require.False(t, p.MemberLive(a, g1, ns(9)))
	require.True(t, p.MemberLive(a, g1, ns(10)))
	require.True(t, p.MemberLive(a, g2, ns(9)), "first record of a → g2")
	require.False(t, p.MemberLive(a, g2, ns(15)), "between the two records of a → g2")
	require.True(t, p.MemberLive(a, g2, ns(20)), "second record of a → g2")
	require.Equal(t, projection.Window{From: ns(20), Until: projection.NoTime}, p.MemberWindow(a, g2, ns(25)))
	require.True(t, p.MemberLive(b, g3, ns(11)), "b → g3 also has a record without a window")
	require.Equal(t, projection.Always, p.MemberWindow(b, g3, ns(11)))
	require.True(t, p.MemberLive(g1, g2, ns(30)))

	require.True(t, p.GrantLive(0, ns(1)))
	require.Equal(t, projection.Always, p.GrantWindow(0))
	require.False(t, p.GrantLive(1, ns(9)))
	require.True(t, p.GrantLive(1, ns(10)))
	require.False(t, p.GrantLive(1, ns(20)))
	require.Equal(t, ns(20), p.GrantExpires(1))
	require.True(t, p.DelegLive(0, ns(30)))
	require.True(t, p.DelegLive(1, ns(9)))
	require.False(t, p.DelegLive(1, ns(10)))
	require.Equal(t, projection.Window{From: projection.NoTime, Until: ns(10)}, p.DelegWindow(1))

	comp, _ := p.MembershipSCCAt(ns(12))
	require.Equal(t, comp[g1], comp[g2], "g1 ⇄ g2 is a cycle while g2 → g1 counts")
	comp, _ = p.MembershipSCCAt(ns(15))
	require.NotEqual(t, comp[g1], comp[g2], "g2 → g1 expired: no cycle")
	comp, _ = p.MembershipSCC()
	require.Equal(t, comp[g1], comp[g2], "MembershipSCC ignores windows")
}
