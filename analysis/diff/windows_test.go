package diff_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/diff"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

var asOf = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

func dataset(memberUntil, grantFrom, delegUntil time.Time) *graph.Dataset {
	return &graph.Dataset{
		Info:         graph.SnapshotMeta{ID: "s", CollectedAt: asOf},
		SystemList:   []graph.System{{ID: "erp", SOXScope: true}},
		ResourceList: []graph.Resource{{ID: "je", System: "erp"}},
		IdentityList: []graph.Identity{{ID: "a", Status: schema.StatusActive}, {ID: "b", Status: schema.StatusActive}},
		GroupList:    []graph.Group{{ID: "g"}},
		MembershipList: []graph.Membership{
			{Member: "a", Group: "g", ExpiresAt: memberUntil},
			{Member: "b", Group: "g", ValidFrom: day(1)},
		},
		GrantList: []graph.Grant{
			{Principal: "g", Action: schema.ActionWrite, Resource: "je", Native: "P", ValidFrom: grantFrom},
			{Principal: "g", Action: schema.ActionWrite, Resource: "je", Native: "Q"},
		},
		DelegationList: []graph.Delegation{{From: "a", To: "b", Kind: schema.DelegRunAs, ExpiresAt: delegUntil}},
	}
}

func side(t *testing.T, d *graph.Dataset) diff.Side {
	t.Helper()
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	return diff.Side{Snapshot: rules.Snapshot{Engine: reach.New(p, asOf), Data: d}}
}

// TestWindowChangeIsAChange: a validity window that changes is reported even
// when no access changes at either as_of; unchanged windows are not.
func TestWindowChangeIsAChange(t *testing.T) {
	a := dataset(day(10), time.Time{}, day(5))
	b := dataset(day(20), asOf.Add(-time.Hour), day(5))
	res, err := diff.Compare(side(t, a), side(t, b))
	require.NoError(t, err)
	require.Empty(t, res.AccessesGained, "the same accesses at as_of")
	require.Empty(t, res.AccessesLost)
	require.Equal(t, []diff.WindowChange{
		{Edge: schema.EdgeGrant, From: "g", To: "je", Action: schema.ActionWrite, Native: "P",
			Before: []diff.Window{{}}, After: []diff.Window{{ValidFrom: asOf.Add(-time.Hour)}}},
		{Edge: schema.EdgeMemberOf, From: "a", To: "g",
			Before: []diff.Window{{ExpiresAt: day(10)}}, After: []diff.Window{{ExpiresAt: day(20)}}},
	}, res.WindowsChanged)

	same, err := diff.Compare(side(t, a), side(t, dataset(day(10), time.Time{}, day(5))))
	require.NoError(t, err)
	require.Empty(t, same.WindowsChanged)
	require.NotNil(t, same.WindowsChanged, "an empty list, not null, in JSON")

	deleg, err := diff.Compare(side(t, a), side(t, dataset(day(10), time.Time{}, time.Time{})))
	require.NoError(t, err)
	require.Equal(t, []diff.WindowChange{{Edge: schema.EdgeCanActAs, From: "a", To: "b", Kind: schema.DelegRunAs,
		Before: []diff.Window{{ExpiresAt: day(5)}}, After: []diff.Window{{}}}}, deleg.WindowsChanged)
}
