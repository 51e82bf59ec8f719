package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

// TestIndexLookups: each lookup finds its own kind of record and nothing
// else; IsIdentity agrees with Identity.
func TestIndexLookups(t *testing.T) {
	d := &graph.Dataset{
		SystemList:     []graph.System{{ID: "sap"}},
		ResourceList:   []graph.Resource{{ID: "sap:je", System: "sap"}},
		IdentityList:   []graph.Identity{{ID: "ann"}, {ID: "svc"}},
		GroupList:      []graph.Group{{ID: "grp"}},
		CredentialList: []graph.Credential{{ID: "c2", Identity: "svc"}, {ID: "c1", Identity: "svc"}},
	}
	x := graph.NewIndex(d)
	for _, id := range []string{"ann", "svc", "grp", "sap", "sap:je", "c1", "nobody", ""} {
		rec, ok := x.Identity(id)
		require.Equal(t, ok, x.IsIdentity(id), id)
		require.Equal(t, id == "ann" || id == "svc", ok, id)
		if ok {
			require.Equal(t, id, rec.ID)
		}
	}
	_, ok := x.Group("grp")
	require.True(t, ok)
	_, ok = x.Group("ann")
	require.False(t, ok)
	cs := x.CredentialsOf("svc")
	require.Len(t, cs, 2)
	require.Equal(t, "c1", cs[0].ID, "sorted by id")
	require.Equal(t, []string{"ann", "svc"}, x.IdentityIDs())
}
