package bundle_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

var collected = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

// roundTrip writes d with a JSONWriter and loads the result back.
func roundTrip(t *testing.T, d *graph.Dataset) (*graph.Dataset, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := bundle.NewJSONWriter(&buf, "round-trip", collected)
	require.NoError(t, d.WriteTo(w))
	require.NoError(t, w.Close())
	require.True(t, json.Valid(buf.Bytes()), "output must be valid JSON:\n%s", buf.String())
	path := write(t, t.TempDir(), "out.json", buf.String())
	st, meta, err := load(t, ingestOptions(), path)
	require.NoError(t, err)
	require.Equal(t, "round-trip", meta.Source)
	require.Equal(t, collected, meta.CollectedAt)
	return st.data, buf.Bytes()
}

func TestJSONWriterRoundTripsTheFixture(t *testing.T) {
	for _, path := range []string{"testdata/small.yaml", "testdata/small_csv"} {
		d := mustLoad(t, path)
		back, _ := roundTrip(t, d)
		require.Equal(t, records(d), records(back))
	}
}

func TestJSONWriterRoundTripsAwkwardStrings(t *testing.T) {
	awkward := []string{
		"quote\" backslash\\ slash/", "tab\tnewline\ncr\r", "nul\x00bell\x07", "line\u2028para\u2029",
		"<script>&amp;</script>", "emoji 🧾 ünïcødé", "${HOME} {{tpl}} $(cmd)", " leading and trailing ",
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	yes := true
	d := &graph.Dataset{}
	for i, s := range awkward {
		sys := "sys " + s
		d.SystemList = append(d.SystemList, graph.System{ID: sys, Name: s, Kind: s, SOXScope: i%2 == 0, Owner: s})
		d.ResourceList = append(d.ResourceList, graph.Resource{ID: "res " + s, System: sys, Name: s, Kind: s, SOXScope: &yes})
		d.IdentityList = append(d.IdentityList, graph.Identity{
			ID: "id " + s, Name: s, Type: schema.IdentityAIAgent, Status: schema.StatusDisabled,
			Owners: graph.Owners{Business: s, Technical: s}, Purpose: s, NonhumanRationale: s, Shared: true, BreakGlass: true,
			Vendor: s, CreatedAt: t0, LastUsedAt: t0, CompensatingControls: []string{s, "other"}, SameAs: []string{"id " + awkward[0]},
			Tags: map[string]string{s: s, "z": "last"},
		})
		d.GroupList = append(d.GroupList, graph.Group{ID: "grp " + s, Name: s, Type: schema.GroupRole, System: sys})
		d.MembershipList = append(d.MembershipList, graph.Membership{Member: "id " + s, Group: "grp " + s})
		d.GrantList = append(d.GrantList, graph.Grant{Principal: "grp " + s, Action: schema.ActionApprove, Resource: "res " + s,
			Native: s, Conditional: true, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour)})
		d.CredentialList = append(d.CredentialList, graph.Credential{ID: "cred " + s, Identity: "id " + s, Type: schema.CredSSHKey,
			Systems: []string{sys}, CreatedAt: t0, LastRotatedAt: t0, ExpiresAt: t0, LastUsedAt: t0, RotationDays: 30,
			Revoked: true, Vaulted: true, StoredIn: "res " + s})
		d.DelegationList = append(d.DelegationList, graph.Delegation{From: "grp " + s, To: "id " + s, Kind: schema.DelegAssumeRole, System: sys,
			Native: s})
	}
	back, _ := roundTrip(t, d)
	require.Equal(t, d, records(back))
}

func TestJSONWriterOutput(t *testing.T) {
	no := false
	d := &graph.Dataset{
		SystemList:   []graph.System{{ID: "sap"}},
		ResourceList: []graph.Resource{{ID: "je", System: "sap", SOXScope: &no}},
		IdentityList: []graph.Identity{{ID: "bob", Type: schema.IdentityHuman, Status: schema.StatusActive,
			Owners: graph.Owners{Technical: "ops"}, Tags: map[string]string{"b": "2", "a": "1"}}},
		GrantList: []graph.Grant{{Principal: "bob", Action: schema.ActionRead, Resource: "je"}},
	}
	var buf bytes.Buffer
	w := bundle.NewJSONWriter(&buf, "s", time.Time{})
	require.NoError(t, d.WriteTo(w))
	require.NoError(t, w.Close())
	require.Equal(t, `{"format":"reachgraph/v1","source":"s",
"systems":[
{"id":"sap"}
],
"resources":[
{"id":"je","system":"sap","sox_scope":false}
],
"identities":[
{"id":"bob","type":"human","status":"active","owners":{"technical":"ops"},"tags":{"a":"1","b":"2"}}
],
"grants":[
{"principal":"bob","action":"read","resource":"je"}
]}
`, buf.String())
}

func TestJSONWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	w := bundle.NewJSONWriter(&buf, "nothing", collected)
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "Close twice is harmless")
	require.Equal(t, `{"format":"reachgraph/v1","source":"nothing","collected_at":"2026-10-31T00:00:00Z"}`+"\n", buf.String())
	back := mustLoad(t, write(t, t.TempDir(), "empty.json", buf.String()))
	require.Zero(t, back.Meta().Counts.Total())
}

func TestJSONWriterSectionOrder(t *testing.T) {
	var buf bytes.Buffer
	w := bundle.NewJSONWriter(&buf, "s", collected)
	require.NoError(t, w.PutGrant(graph.Grant{Principal: "a", Action: schema.ActionRead, Resource: "b"}))
	require.NoError(t, w.PutGrant(graph.Grant{Principal: "a", Action: schema.ActionWrite, Resource: "b"}))
	err := w.PutSystem(graph.System{ID: "b"})
	require.ErrorIs(t, err, bundle.ErrSectionOrder)
	require.ErrorContains(t, err, "systems after grants")
	require.ErrorIs(t, w.PutDelegation(graph.Delegation{From: "a", To: "b", Kind: schema.DelegOther}), bundle.ErrSectionOrder, "errors are sticky")
	require.ErrorIs(t, w.Close(), bundle.ErrSectionOrder)
}

func TestJSONWriterWriteError(t *testing.T) {
	w := bundle.NewJSONWriter(failingWriter{}, "s", collected)
	for range 5000 { // more than the writer's buffer
		if err := w.PutSystem(graph.System{ID: "a-long-enough-system-id-to-fill-the-buffer"}); err != nil {
			break
		}
	}
	require.ErrorIs(t, w.Close(), errDiskFull)
}
