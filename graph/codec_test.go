package graph_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

// TestSharedDecodeEqualsCopyingDecode: the shared decoders give the same
// records as the copying ones, and every byte of a chunk is consumed.
func TestSharedDecodeEqualsCopyingDecode(t *testing.T) {
	yes := true
	at := time.Date(2026, 10, 31, 12, 0, 0, 5, time.UTC)
	id := graph.Identity{ID: `svc/"x" ü`, Name: "n", Type: "service_account", Status: "active",
		Owners: graph.Owners{Business: "b", Technical: "t"}, CreatedAt: at, SameAs: []string{"a", "b"},
		CompensatingControls: []string{"vaulted"}, Tags: map[string]string{"k": "v", "": ""}}
	res := graph.Resource{ID: "r", System: "s", Parent: "p", Kind: "journal_entry", SOXScope: &yes}
	gr := graph.Grant{Principal: "g", Action: "approve", Resource: "r", Native: "F_BKPF", ExpiresAt: at}
	cr := graph.Credential{ID: "c", Identity: "i", Type: "token", Systems: []string{"s1", "s2"}, ExpiresAt: at, RotationDays: 30, StoredIn: "r"}
	dl := graph.Delegation{From: "g", To: "i", Kind: "assume_role", System: "s", Native: `sts:AssumeRole "x" ü`}
	var chunk []byte
	chunk = graph.AppendIdentity(chunk, id)
	chunk = graph.AppendResource(chunk, res)
	chunk = graph.AppendGrant(chunk, gr)
	chunk = graph.AppendCredential(chunk, cr)
	chunk = graph.AppendDelegation(chunk, dl)
	chunk = graph.AppendDelegation(chunk, graph.Delegation{From: "g", To: "i"})

	gotID, rest, err := graph.DecodeIdentityShared(chunk)
	require.NoError(t, err)
	wantID, _, err := graph.DecodeIdentity(chunk)
	require.NoError(t, err)
	require.Equal(t, wantID, gotID)
	require.Equal(t, id.ID, gotID.ID)
	gotRes, rest, err := graph.DecodeResourceShared(rest)
	require.NoError(t, err)
	require.Equal(t, res, gotRes)
	gotGrant, rest, err := graph.DecodeGrantShared(rest)
	require.NoError(t, err)
	require.Equal(t, gr, gotGrant)
	gotCred, rest, err := graph.DecodeCredentialShared(rest)
	require.NoError(t, err)
	require.Equal(t, cr, gotCred)
	gotDeleg, rest, err := graph.DecodeDelegationShared(rest)
	require.NoError(t, err)
	require.Equal(t, dl, gotDeleg)
	wantDeleg, _, err := graph.DecodeDelegation(graph.AppendDelegation(nil, dl))
	require.NoError(t, err)
	require.Equal(t, dl, wantDeleg)
	gotDeleg, rest, err = graph.DecodeDelegationShared(rest)
	require.NoError(t, err)
	require.Equal(t, graph.Delegation{From: "g", To: "i"}, gotDeleg, "an unset native stays unset")
	require.Empty(t, rest)

	_, _, err = graph.DecodeGrantShared(chunk[:3])
	require.ErrorIs(t, err, graph.ErrCorrupt, "a truncated record is an error, not a panic")
}
