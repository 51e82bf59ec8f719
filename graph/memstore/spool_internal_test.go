package memstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// spoolOf writes d into a new spool and returns it.
func spoolOf(t *testing.T, d *graph.Dataset, size, spill int, dir string) *spool {
	t.Helper()
	sp := newSpool(d.Info, size, spill, dir)
	t.Cleanup(sp.close)
	require.NoError(t, d.WriteTo(sp))
	require.NoError(t, sp.Pool().Err())
	return sp
}

// chunksOf reads every chunk of every kind back.
func chunksOf(t *testing.T, sp *spool) [numKinds][][]byte {
	t.Helper()
	var out [numKinds][][]byte
	for k := range numKinds {
		for c, err := range sp.chunks(k) {
			require.NoError(t, err)
			out[k] = append(out[k], append([]byte(nil), c...))
		}
	}
	return out
}

// TestSpoolSpills: past spillAt bytes the sealed chunks go to the temporary
// file, which has no name in the directory; the chunks read back are the
// ones kept in memory by a spool that never spills, and the content id is
// the same.
func TestSpoolSpills(t *testing.T) {
	d := storetest.Synthetic(20000, 5)
	dir := t.TempDir()
	mem := spoolOf(t, d, 4<<10, 1<<40, dir)
	require.Zero(t, mem.Pool().Spilled(), "under spillAt nothing goes to disk")
	disk := spoolOf(t, d, 4<<10, 64<<10, dir)
	require.LessOrEqual(t, disk.Pool().Held(), 64<<10, "sealed chunks held in memory")
	require.Greater(t, disk.Pool().Spilled(), int64(disk.Bytes()/2), "most of the records are on disk")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the spill file has no name")
	require.Equal(t, chunksOf(t, mem), chunksOf(t, disk))
	require.Equal(t, mem.Sum(), disk.Sum())
}

// TestSpoolCannotSpill: when the temporary file cannot be made, the ingest
// fails naming the directory and stores nothing.
func TestSpoolCannotSpill(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes into read-only directories: take the directory away instead.
		dir := filepath.Join(t.TempDir(), "gone")
		sp := newSpool(graph.SnapshotMeta{}, 64, 0, dir)
		d := storetest.Synthetic(2000, 5)
		err := d.WriteTo(sp)
		require.Error(t, err)
		require.Contains(t, err.Error(), "spool to a temporary file in "+dir)
		return
	}
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "rg.db"), withChunkSize(64), withSpillAt(0))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	d := storetest.Synthetic(2000, 5)
	_, err = s.Ingest(context.Background(), d.Info, d.WriteTo)
	require.Error(t, err)
	require.Contains(t, err.Error(), "spool to a temporary file in "+dir)
	list, err := s.Snapshots(context.Background())
	require.NoError(t, err)
	require.Empty(t, list)
}
