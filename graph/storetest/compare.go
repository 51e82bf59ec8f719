package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

// RequireRecords fails t unless got holds exactly the records of want, kind
// by kind and in the same order. Metadata (Info) is not compared. Large
// datasets are compared record by record so a failure names the first
// differing record instead of printing millions of them.
func RequireRecords(t testing.TB, want, got *graph.Dataset) {
	t.Helper()
	requireList(t, "systems", want.SystemList, got.SystemList)
	requireList(t, "resources", want.ResourceList, got.ResourceList)
	requireList(t, "identities", want.IdentityList, got.IdentityList)
	requireList(t, "groups", want.GroupList, got.GroupList)
	requireList(t, "memberships", want.MembershipList, got.MembershipList)
	requireList(t, "grants", want.GrantList, got.GrantList)
	requireList(t, "credentials", want.CredentialList, got.CredentialList)
	requireList(t, "delegations", want.DelegationList, got.DelegationList)
}

func requireList[T any](t testing.TB, name string, want, got []T) {
	t.Helper()
	if len(want) <= 100 {
		require.Equal(t, want, got, name)
		return
	}
	require.Len(t, got, len(want), name)
	for i := range want {
		require.Equal(t, want[i], got[i], "%s[%d]", name, i)
	}
}

// ReadSnapshot opens snapshot id of s and reads every record, failing t on
// any error.
func ReadSnapshot(t testing.TB, s graph.SnapshotStore, id graph.SnapshotID) *graph.Dataset {
	t.Helper()
	r, err := s.Snapshot(context.Background(), id)
	require.NoError(t, err, "open snapshot %q", id)
	d, err := graph.ReadAll(context.Background(), r)
	require.NoError(t, err, "read snapshot %q", id)
	return d
}

// Ingest ingests d into s with d.Info as metadata, failing t on error, and
// returns the stored metadata.
func Ingest(t testing.TB, s graph.Ingester, d *graph.Dataset) graph.SnapshotMeta {
	t.Helper()
	meta, err := s.Ingest(context.Background(), d.Info, d.WriteTo)
	require.NoError(t, err, "ingest %s", d.Info.Source)
	return meta
}

// WantMeta returns the metadata a store must report after ingesting d with
// d.Info: normalised, with the content id and the record counts filled in.
// IngestedAt is taken from ingested (the store may set it when d.Info's is zero).
func WantMeta(d *graph.Dataset, ingested graph.SnapshotMeta) graph.SnapshotMeta {
	m := NormalizeMeta(d.Info)
	m.ID = SnapshotID(d)
	m.Counts = d.Meta().Counts
	if d.Info.IngestedAt.IsZero() {
		m.IngestedAt = ingested.IngestedAt
	}
	return m
}
