package memstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// A kept handle holds the shared lock: another Store on the same file (as
// another process would) cannot commit until the hold is over, and then it
// can; the kept Store's cached list then shows the new snapshot.
func TestKeepOpenLetsAnotherIngestAfterHold(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keep.db")
	server := openAt(t, path)
	storetest.Ingest(t, server, storetest.EveryFieldSet())
	server.KeepOpen(300 * time.Millisecond)
	list, err := server.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)

	impatient := openAt(t, path, memstore.WithLockTimeout(50*time.Millisecond))
	_, err = impatient.Ingest(ctx, storetest.EveryFieldUnset().Info, storetest.EveryFieldUnset().WriteTo)
	require.ErrorIs(t, err, memstore.ErrLocked, "the kept handle must hold the shared lock")

	patient := openAt(t, path, memstore.WithLockTimeout(10*time.Second))
	m := storetest.Ingest(t, patient, storetest.EveryFieldUnset())

	list, err = server.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, m.ID, list[1].ID)
	newest, err := server.Snapshot(ctx, "")
	require.NoError(t, err)
	require.Equal(t, m.ID, newest.Meta().ID)
}

// With no hold limit the handle stays until Close; a commit of the same
// Store still closes it first, and the list shows the new snapshot.
func TestKeepOpenOwnIngest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keep.db")
	s := openAt(t, path)
	s.KeepOpen(0)
	storetest.Ingest(t, s, storetest.EveryFieldSet())
	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list[0].Files = nil // callers may change their copy
	list[0].ID = "changed"

	again, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.NotEqual(t, "changed", string(again[0].ID), "the cache must hand out copies")
	require.Equal(t, len(storetest.EveryFieldSet().Info.Files), len(again[0].Files))

	m := storetest.Ingest(t, s, storetest.EveryFieldUnset())
	list, err = s.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, m.ID, list[1].ID)
	got := storetest.ReadSnapshot(t, s, m.ID)
	storetest.RequireRecords(t, storetest.Normalize(storetest.EveryFieldUnset()), got)

	other := openAt(t, path, memstore.WithLockTimeout(50*time.Millisecond))
	_, err = other.Ingest(ctx, storetest.Denormalized().Info, storetest.Denormalized().WriteTo)
	require.ErrorIs(t, err, memstore.ErrLocked, "hold 0 keeps the lock until Close")
	require.NoError(t, s.Close())
	storetest.Ingest(t, other, storetest.Denormalized())
}

// A kept handle changes nothing a caller can see: the conformance suite
// passes with the handle kept until Close and with a short hold.
func TestConformanceKeepOpen(t *testing.T) {
	for _, hold := range []time.Duration{0, 5 * time.Millisecond} {
		t.Run(hold.String(), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) graph.Store {
				s, err := memstore.OpenTemp(t.TempDir())
				require.NoError(t, err)
				s.KeepOpen(hold)
				return s
			})
		})
	}
}
