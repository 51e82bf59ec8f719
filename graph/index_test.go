package graph_test

import (
	"encoding/json"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
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

// TestReadAllSizesLists: ReadAll sizes every list by the snapshot's count
// of its kind (no spare room), and a count that is wrong, as a damaged
// store's may be, changes no list's contents.
func TestReadAllSizesLists(t *testing.T) {
	d := &graph.Dataset{
		SystemList:     []graph.System{{ID: "sap"}},
		ResourceList:   []graph.Resource{{ID: "sap:je", System: "sap"}, {ID: "sap:gl", System: "sap"}, {ID: "sap:ap", System: "sap"}},
		IdentityList:   []graph.Identity{{ID: "ann"}, {ID: "bob"}, {ID: "svc"}},
		GroupList:      []graph.Group{{ID: "grp"}},
		MembershipList: []graph.Membership{{Member: "ann", Group: "grp"}, {Member: "bob", Group: "grp"}, {Member: "svc", Group: "grp"}},
		CredentialList: []graph.Credential{{ID: "c1", Identity: "svc"}, {ID: "c2", Identity: "svc"}, {ID: "c3", Identity: "svc"}},
	}
	d.Info.Counts = graph.Counts{Systems: 1, Resources: 3, Identities: 3, Groups: 1, Memberships: 3, Credentials: 3}
	got, err := graph.ReadAll(t.Context(), d)
	require.NoError(t, err)
	require.Equal(t, d.IdentityList, got.IdentityList)
	for what, c := range map[string][2]int{
		"resources": {len(got.ResourceList), cap(got.ResourceList)}, "identities": {len(got.IdentityList), cap(got.IdentityList)},
		"memberships": {len(got.MembershipList), cap(got.MembershipList)}, "credentials": {len(got.CredentialList), cap(got.CredentialList)},
	} {
		require.Equal(t, 3, c[0], what)
		require.Equal(t, c[0], c[1], "%s: room for exactly the records counted", what)
	}
	for _, counts := range []graph.Counts{{Identities: 1, Resources: 100}, {Identities: -5, Credentials: 1 << 40}} {
		d.Info.Counts = counts
		got, err := graph.ReadAll(t.Context(), d)
		require.NoError(t, err)
		require.Equal(t, d.IdentityList, got.IdentityList)
		require.Equal(t, d.ResourceList, got.ResourceList)
		require.Equal(t, d.CredentialList, got.CredentialList)
	}
}

// TestCredentialsOf: each owner gets exactly its own credentials, sorted by
// id, whatever the order and interleaving of the list; others get none.
func TestCredentialsOf(t *testing.T) {
	d := &graph.Dataset{
		IdentityList: []graph.Identity{{ID: "ann"}, {ID: "svc"}, {ID: "zed"}, {ID: "bob"}},
		CredentialList: []graph.Credential{{ID: "k9", Identity: "zed"}, {ID: "c2", Identity: "svc"}, {ID: "a1", Identity: "ann"},
			{ID: "c1", Identity: "svc"}, {ID: "a0", Identity: "zed"}, {ID: "c3", Identity: "svc"}},
	}
	x := graph.NewIndex(d)
	ids := func(owner string) []string {
		var out []string
		for _, c := range x.CredentialsOf(owner) {
			require.Equal(t, owner, c.Identity)
			out = append(out, c.ID)
		}
		return out
	}
	require.Equal(t, []string{"c1", "c2", "c3"}, ids("svc"))
	require.Equal(t, []string{"a1"}, ids("ann"))
	require.Equal(t, []string{"a0", "k9"}, ids("zed"))
	for _, none := range []string{"bob", "nobody", "", "svc0", "sv"} {
		require.Empty(t, ids(none), none)
		require.NotNil(t, x.CredentialsOf(none), "an empty list, as before")
	}
}

// TestReadNodesOwnsStrings: the records ReadNodes returns keep no view of
// the buffers the reader decoded them from (a store's chunks), so changing
// those buffers changes no record; a value that repeats is held once.
func TestReadNodesOwnsStrings(t *testing.T) {
	buf := []byte("id-1id-2svcactiveteam-auditposts accrualsenvprodk-1k-2vault:kv/fin")
	view := func(from, to int) string { return unsafe.String(&buf[from], to-from) }
	purpose := view(27, 41)
	src := &graph.Dataset{
		IdentityList: []graph.Identity{
			{ID: view(0, 4), Type: schema.IdentityType("service_account"), Status: schema.Status(view(11, 17)),
				Owners: graph.Owners{Business: view(17, 27)}, Purpose: purpose, Tags: map[string]string{view(41, 44): view(44, 48)}},
			{ID: view(4, 8), Status: schema.Status(view(11, 17)), Purpose: view(27, 41), SameAs: []string{view(0, 4)}},
		},
		CredentialList: []graph.Credential{{ID: view(48, 51), Identity: view(0, 4), StoredIn: view(54, 66)},
			{ID: view(51, 54), Identity: view(4, 8), StoredIn: view(54, 66)}},
		ResourceList: []graph.Resource{{ID: view(54, 66), System: view(8, 11)}},
	}
	want := func() *graph.Dataset { // a deep copy with strings of their own
		d := &graph.Dataset{}
		raw, err := json.Marshal(src)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, d))
		return d
	}()
	got, err := graph.ReadNodes(t.Context(), src)
	require.NoError(t, err)
	require.Equal(t, want.IdentityList, got.IdentityList)
	require.Same(t, unsafe.StringData(got.IdentityList[0].Purpose), unsafe.StringData(got.IdentityList[1].Purpose), "a repeated value is held once")
	require.Same(t, unsafe.StringData(got.CredentialList[0].StoredIn), unsafe.StringData(got.CredentialList[1].StoredIn))
	for i := range buf {
		buf[i] = '#'
	}
	require.Equal(t, want.IdentityList, got.IdentityList)
	require.Equal(t, want.CredentialList, got.CredentialList)
	require.Equal(t, want.ResourceList, got.ResourceList)
}
