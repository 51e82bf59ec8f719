package spool_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spool"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// TestReaderReadsBackSpilled: records spooled through a budget far below
// their size come back from the temporary file as written, kind by kind and
// in write order, under the id an in-memory hash of them gives; the file has
// no name, and writing after Finish fails.
func TestReaderReadsBackSpilled(t *testing.T) {
	ctx := context.Background()
	d := storetest.Synthetic(20000, 5)
	dir := t.TempDir()
	sp := spool.New(d.Info, spool.Options{Chunk: 4 << 10, Budget: 64 << 10, Dir: dir})
	t.Cleanup(sp.Close)
	require.NoError(t, d.WriteTo(sp))
	require.NoError(t, sp.Finish())
	require.Greater(t, sp.Pool().Spilled(), int64(sp.Bytes()/2), "most records are in the file")
	require.LessOrEqual(t, sp.Pool().Held(), 64<<10)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the temporary file has no name")

	h := graph.NewIDHasher(d.Info)
	require.NoError(t, d.WriteTo(h))
	require.Equal(t, h.Sum(), sp.Sum())
	require.Equal(t, h.Counts(), sp.Counts())

	for range 2 { // a reader reads the spool as often as asked
		got, err := graph.ReadAll(ctx, sp.Reader(d.Info))
		require.NoError(t, err)
		require.Equal(t, d.SystemList, got.SystemList)
		require.Equal(t, d.GroupList, got.GroupList)
		require.Equal(t, d.IdentityList, got.IdentityList)
		require.Equal(t, d.MembershipList, got.MembershipList)
		require.Equal(t, d.GrantList, got.GrantList)
		require.Equal(t, d.CredentialList, got.CredentialList)
		require.Equal(t, d.DelegationList, got.DelegationList)
		require.Equal(t, d.ResourceList, got.ResourceList)
	}

	err = sp.PutSystem(graph.System{ID: "late"})
	require.ErrorIs(t, err, spool.ErrDone)
	done := errors.New("done here")
	sp2 := spool.New(d.Info, spool.Options{Chunk: 4 << 10, Done: done})
	t.Cleanup(sp2.Close)
	require.NoError(t, sp2.Finish())
	require.ErrorIs(t, sp2.PutSystem(graph.System{ID: "late"}), done)
}

// TestChunksKeepSpare: every chunk, in memory or read back, has the spare
// room its owner appends a trailer in, and decodes on its own.
func TestChunksKeepSpare(t *testing.T) {
	d := storetest.Synthetic(3000, 3)
	sp := spool.New(d.Info, spool.Options{Chunk: 1 << 10, Budget: 8 << 10, Spare: 4, Dir: t.TempDir()})
	t.Cleanup(sp.Close)
	require.NoError(t, d.WriteTo(sp))
	require.NoError(t, sp.Finish())
	n, total := 0, 0
	for c, err := range sp.All() {
		require.NoError(t, err)
		require.GreaterOrEqual(t, cap(c.Data)-len(c.Data), 4, "chunk %d of kind %d", c.N, c.Kind)
		if c.Kind == graph.RecIdentity {
			for rest := c.Data; len(rest) > 0; {
				_, tail, err := graph.DecodeIdentity(rest)
				require.NoError(t, err)
				rest = tail
				n++
			}
		}
		total += len(c.Data)
	}
	require.Equal(t, len(d.IdentityList), n)
	require.Equal(t, sp.Bytes(), total)
}
