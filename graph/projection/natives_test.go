package projection_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	rg "github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// TestNatives: grant and delegation natives, read concurrently and interned in
// one string table, come back per edge; some natives are shared by grants and
// delegations, some are unset.
func TestNatives(t *testing.T) {
	d := &rg.Dataset{
		SystemList:   []rg.System{{ID: "sys"}},
		IdentityList: []rg.Identity{{ID: "a"}, {ID: "b"}},
		GroupList:    []rg.Group{{ID: "g"}},
	}
	native := func(i int) string {
		if i%4 == 0 {
			return ""
		}
		return "perm-" + strconv.Itoa(i%50)
	}
	for i := range 2000 {
		d.GrantList = append(d.GrantList, rg.Grant{Principal: "g", Action: schema.ActionRead, Resource: "sys",
			Native: native(i), Conditional: i%3 == 0})
		d.DelegationList = append(d.DelegationList, rg.Delegation{From: "g", To: "a", Native: native(i + 1)})
	}
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	for i, g := range d.GrantList {
		require.Equal(t, g.Native, p.GrantNative(int32(i)), "grant %d", i)
		require.Equal(t, g.Conditional, p.Grants[i].Conditional(), "grant %d", i)
	}
	for i, dl := range d.DelegationList {
		require.Equal(t, dl.Native, p.DelegNative(int32(i)), "delegation %d", i)
	}
	require.Len(t, p.Strings, 51, "50 distinct natives and the empty string, each interned once")
}
