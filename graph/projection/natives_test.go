package projection_test

import (
	"context"
	"strconv"
	"testing"
	"time"

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

// TestMemberNatives: a membership's native text comes back with the window of
// the record it belongs to: the record that counts at t, else "" when a
// record without a native text exists, else the first record's.
func TestMemberNatives(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC) }
	d := &rg.Dataset{
		IdentityList: []rg.Identity{{ID: "a"}, {ID: "b"}},
		GroupList:    []rg.Group{{ID: "g"}, {ID: "h"}},
		MembershipList: []rg.Membership{
			{Member: "a", Group: "g", ExpiresAt: day(10), Native: "AGR_USERS G"},
			{Member: "a", Group: "g", ValidFrom: day(20), Native: "USREFUS REFUSER=R (AGR_USERS G)"},
			{Member: "b", Group: "g"},
			{Member: "b", Group: "g", ValidFrom: day(20), Native: "AGR_USERS G"},
			{Member: "b", Group: "h"},
		},
		CredentialList: []rg.Credential{{ID: "c", Identity: "a", Type: "password", ValidFrom: day(3)}},
	}
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	n := func(id string) int32 {
		x, ok := p.Lookup(id)
		require.True(t, ok)
		return x
	}
	a, b, g, h := n("a"), n("b"), n("g"), n("h")
	for _, c := range []struct {
		name       string
		from, to   int32
		at         time.Time
		wantNative string
		wantWindow projection.Window
		wantOK     bool
	}{
		{name: "first record counts", from: a, to: g, at: day(5), wantNative: "AGR_USERS G",
			wantWindow: projection.Window{From: projection.NoTime, Until: projection.Nano(day(10))}, wantOK: true},
		{name: "second record counts", from: a, to: g, at: day(25), wantNative: "USREFUS REFUSER=R (AGR_USERS G)",
			wantWindow: projection.Window{From: projection.Nano(day(20)), Until: projection.NoTime}, wantOK: true},
		{name: "none counts: the first", from: a, to: g, at: day(15), wantNative: "AGR_USERS G",
			wantWindow: projection.Window{From: projection.NoTime, Until: projection.Nano(day(10))}, wantOK: true},
		{name: "a record without native counts", from: b, to: g, at: day(5), wantWindow: projection.Always},
		{name: "the native record counts too", from: b, to: g, at: day(25), wantNative: "AGR_USERS G",
			wantWindow: projection.Window{From: projection.Nano(day(20)), Until: projection.NoTime}, wantOK: true},
		{name: "no native at all", from: b, to: h, at: day(5), wantWindow: projection.Always},
	} {
		t.Run(c.name, func(t *testing.T) {
			native, w, ok := p.MemberNative(c.from, c.to, projection.Nano(c.at))
			require.Equal(t, c.wantNative, native)
			require.Equal(t, c.wantWindow, w)
			require.Equal(t, c.wantOK, ok)
		})
	}
	require.Equal(t, projection.Nano(day(3)), p.CredValidFrom(0))
}
