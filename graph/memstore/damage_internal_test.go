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

// TestPrefetchPanicIsError: a panic in the chunk prefetch goroutine ends the
// iteration with an error naming the snapshot; it does not kill the process.
func TestPrefetchPanicIsError(t *testing.T) {
	s, err := OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	meta := storetest.Ingest(t, s, storetest.Synthetic(200, 3))
	gr, err := s.Snapshot(context.Background(), meta.ID)
	require.NoError(t, err)
	r := gr.(*reader)
	boom := func([]byte) (graph.Grant, []byte, error) { panic("decoder bug") }
	var last error
	for _, err := range records(context.Background(), r, kindGrant, r.meta.Counts.Grants, boom) {
		last = err
	}
	require.ErrorIs(t, last, ErrDamaged)
	require.ErrorContains(t, last, "snapshot "+string(meta.ID)+" is damaged")
	require.ErrorContains(t, last, "decoder bug")
}

// TestFileTruncatedWhileMapped: a file truncated under a reader that has it
// mapped (SIGBUS on the vanished pages) ends the iteration with an error.
func TestFileTruncatedWhileMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s, err := Open(path, withChunkSize(256))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	meta := storetest.Ingest(t, s, storetest.Synthetic(3000, 5))
	gr, err := s.Snapshot(context.Background(), meta.ID)
	require.NoError(t, err)
	var last error
	n := 0
	for _, err := range gr.Grants(context.Background()) {
		if n == 0 {
			require.NoError(t, os.Truncate(path, 3*4096))
		}
		n++
		last = err
	}
	require.Error(t, last)
	require.ErrorIs(t, last, ErrDamaged)
}
