package memstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// damagedStore ingests a synthetic snapshot into a new file, closes it, and
// returns the file's path and the snapshot's id.
func damagedStore(t *testing.T) (string, graph.SnapshotID) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s := openAt(t, path)
	meta := storetest.Ingest(t, s, storetest.Synthetic(3000, 17))
	require.NoError(t, s.Close())
	return path, meta.ID
}

// readEverything lists the snapshots and reads every record of id.
func readEverything(path string, id graph.SnapshotID) error {
	s, err := memstore.Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Snapshots(context.Background()); err != nil {
		return err
	}
	r, err := s.Snapshot(context.Background(), id)
	if err != nil {
		return err
	}
	_, err = graph.ReadAll(context.Background(), r)
	return err
}

// TestDamagedFile: a truncated file or a zeroed page is an error saying the
// store or the snapshot is damaged — never a SIGBUS on the mapped file, nor
// a bbolt assertion panic (in this goroutine or the chunk prefetcher).
func TestDamagedFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string, size int64)
	}{
		// The snapshot's pages are the first ~35 of the file; the rest is
		// bbolt's preallocated slack.
		{name: "truncated inside the data", damage: func(t *testing.T, path string, size int64) {
			require.NoError(t, os.Truncate(path, 16*4096))
		}},
		{name: "truncated to one page", damage: func(t *testing.T, path string, size int64) {
			require.NoError(t, os.Truncate(path, 4096))
		}},
		{name: "data pages zeroed", damage: func(t *testing.T, path string, size int64) {
			zero(t, path, 4*4096, 16*4096)
		}},
		{name: "meta page zeroed", damage: func(t *testing.T, path string, size int64) {
			zero(t, path, 4096, 4096)
		}},
		{name: "every page after the metas zeroed", damage: func(t *testing.T, path string, size int64) {
			zero(t, path, 2*4096, size-2*4096)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, id := damagedStore(t)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			tc.damage(t, path, fi.Size())
			err = readEverything(path, id)
			require.Error(t, err)
			require.Regexp(t, `(store file .* is damaged|snapshot `+string(id)+` is damaged)`, err.Error())
		})
	}
}

func zero(t *testing.T, path string, off, n int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(make([]byte, n), off)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
