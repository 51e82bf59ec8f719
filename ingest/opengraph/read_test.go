package opengraph_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/export"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/opengraph"
	"github.com/reachgraph/reachgraph/schema"
)

// TestRoundTripFinance exports the finance sample to OpenGraph and reads it
// back: every record comes back equal (the snapshot differs only in record
// order, which export sorts, and in its source label).
func TestRoundTripFinance(t *testing.T) {
	orig := &storetest.Capture{}
	_, err := bundle.Load(context.Background(), orig, []ingest.Source{{Path: filepath.Join("..", "..", "testdata", "finance", "bundle.yaml")}}, ingest.Options{})
	require.NoError(t, err)

	var buf bytes.Buffer
	_, err = export.WriteOpenGraph(context.Background(), &buf, orig.Data)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "finance.json")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	require.Equal(t, ingest.FormatOpenGraph, ingest.DetectFormat(path))

	back, warnings, err := tryLoad(path, "")
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.Equal(t, schema.OpenGraphSourceKind, back.Info.Source)

	sortAll(orig.Data)
	sortAll(back)
	require.Equal(t, orig.Data.SystemList, back.SystemList)
	require.Equal(t, orig.Data.ResourceList, back.ResourceList)
	require.Equal(t, orig.Data.IdentityList, back.IdentityList)
	require.Equal(t, orig.Data.GroupList, back.GroupList)
	require.Equal(t, orig.Data.MembershipList, back.MembershipList)
	require.Equal(t, orig.Data.GrantList, back.GrantList)
	require.Equal(t, orig.Data.CredentialList, back.CredentialList)
	require.Equal(t, orig.Data.DelegationList, back.DelegationList)

	// And exporting what was read gives the same bytes.
	var again bytes.Buffer
	_, err = export.WriteOpenGraph(context.Background(), &again, back)
	require.NoError(t, err)
	require.Equal(t, buf.String(), again.String())
}

// sortAll orders every list of d the way the exporter does (by the record's
// JSON form, which is enough to compare two datasets as sets).
func sortAll(d *graph.Dataset) {
	sortBy(d.SystemList, func(r graph.System) string { return r.ID })
	sortBy(d.ResourceList, func(r graph.Resource) string { return r.ID })
	sortBy(d.IdentityList, func(r graph.Identity) string { return r.ID })
	sortBy(d.GroupList, func(r graph.Group) string { return r.ID })
	sortBy(d.CredentialList, func(r graph.Credential) string { return r.ID })
	sortBy(d.MembershipList, func(r graph.Membership) string { return r.Member + "\x00" + r.Group + "\x00" + r.ExpiresAt.String() })
	sortBy(d.GrantList, func(r graph.Grant) string {
		return r.Principal + "\x00" + r.Resource + "\x00" + string(r.Action) + "\x00" + r.Native + "\x00" + r.ExpiresAt.String()
	})
	sortBy(d.DelegationList, func(r graph.Delegation) string { return r.From + "\x00" + r.To + "\x00" + string(r.Kind) + r.System })
}

func sortBy[T any](list []T, key func(T) string) {
	slices.SortStableFunc(list, func(a, b T) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
}

func TestForeignKindsThroughMap(t *testing.T) {
	d, warnings, err := tryLoad(filepath.Join(td, "foreign.json"), filepath.Join(td, "foreign-map.yaml"))
	require.NoError(t, err)
	require.Equal(t, "Okta", d.Info.Source)

	require.Equal(t, []graph.System{{ID: "00o1", Name: "acme.okta.com", Kind: "idp", SOXScope: true}}, d.SystemList)
	yes := true
	require.Equal(t, []graph.Resource{{ID: "0oa1:je", System: "00o1", Name: "Journal entries", Kind: "journal_entry", SOXScope: &yes}}, d.ResourceList)
	types := map[string]schema.IdentityType{}
	status := map[string]schema.Status{}
	for _, i := range d.IdentityList {
		types[i.ID], status[i.ID] = i.Type, i.Status
	}
	require.Equal(t, map[string]schema.IdentityType{"00u1": schema.IdentityHuman, "00u2": schema.IdentityHuman, "0oa1": schema.IdentityApplication}, types)
	require.Equal(t, schema.StatusDisabled, status["00u2"])
	require.Equal(t, []graph.Group{{ID: "00g1", Name: "Finance Approvers", Type: schema.GroupGroup}, {ID: "00r1", Name: "APP_ADMIN", Type: schema.GroupRole}}, d.GroupList)
	require.Equal(t, []graph.Membership{{Member: "00u1", Group: "00g1"}, {Member: "00g1", Group: "00r1"}}, d.MembershipList)
	require.Equal(t, []graph.Grant{
		{Principal: "00r1", Action: schema.ActionAdmin, Resource: "0oa1:je", Native: "APP_ADMIN on NetSuite GL"},
		{Principal: "00g1", Action: schema.ActionApprove, Resource: "0oa1:je", Native: "Journal Approval"},
	}, d.GrantList)
	require.Equal(t, []graph.Credential{{ID: "tok1", Identity: "0oa1", Type: schema.CredToken, ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}}, d.CredentialList)
	require.Equal(t, []graph.Delegation{{From: "00u2", To: "00u1", Kind: schema.DelegImpersonate}}, d.DelegationList)

	require.Equal(t, []string{
		`../../testdata/opengraph/foreign.json: /graph/edges/7: 2 edges of kind "Okta_HasRoleAssignment" not imported: the kind is not mapped, so it is not traversable for reachgraph (map it under edges: in --opengraph-map)`,
		`../../testdata/opengraph/foreign.json: /graph/edges/9: 1 edge of kind "Okta_OutboundSSO" not imported: the kind is not mapped, so it is not traversable for reachgraph (map it under edges: in --opengraph-map)`,
		`../../testdata/opengraph/foreign.json: 3 of 10 edges not imported (2 unmapped edge kinds)`,
	}, warnings)
}

// TestMinimalPayload reads the documentation's minimal example payload with
// a map: Person nodes become identities, Knows is not mapped.
func TestMinimalPayload(t *testing.T) {
	dir := t.TempDir()
	mapFile := filepath.Join(dir, "map.yaml")
	require.NoError(t, os.WriteFile(mapFile, []byte("nodes:\n  Person: identity:human\n"), 0o644))
	d, warnings, err := tryLoad(filepath.Join(td, "opengraph-minimal.json"), mapFile)
	require.NoError(t, err)
	require.Len(t, d.IdentityList, 2)
	require.Equal(t, "BOB", d.IdentityList[0].Name)
	require.Equal(t, "opengraph:opengraph-minimal", d.Info.Source)
	require.Len(t, warnings, 2)
	require.Contains(t, warnings[0], `/graph/edges/0: 1 edge of kind "Knows" not imported`)
}

func TestReadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ingest.Load(ctx, &storetest.Capture{}, []ingest.Source{{Path: filepath.Join(td, "finance.opengraph.json"), Format: ingest.FormatOpenGraph}},
		ingest.Options{Readers: ingest.Readers{OpenGraph: opengraph.Read}})
	require.ErrorIs(t, err, context.Canceled)
}
