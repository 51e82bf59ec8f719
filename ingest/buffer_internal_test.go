package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
)

// drain hands out what each does, dropped records left out, and leaves the
// buffer empty, its chunks released one by one as they are read: in memory
// (the zero recordBuf) and spilled to a pool's file past its budget.
func TestRecordBufDrain(t *testing.T) {
	for _, budget := range []int{-1, 0, 40 << 10} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			var r recordBuf
			if budget >= 0 {
				r.pool = spill.New(t.TempDir(), "records", budget)
				t.Cleanup(r.pool.Close)
			}
			var spans []bufSpan
			for i := range 50000 { // several chunks
				rec := fmt.Sprintf("record %05d;", i)
				spans = append(spans, r.add(func(dst []byte) []byte { return append(dst, rec...) }))
			}
			require.Greater(t, len(r.sealed), 3)
			if budget >= 0 {
				require.LessOrEqual(t, r.pool.Held(), budget)
				require.Greater(t, r.pool.Spilled(), int64(len("record 00000;")*50000/2), "most records are on disk")
			}
			r.drop(spans[7])
			r.drop(spans[40000])
			r.drop(spans[49999])
			read := func(into *[]string, held *[]int) func(rec []byte) ([]byte, error) {
				return func(rec []byte) ([]byte, error) {
					n := len("record 00000;")
					*into = append(*into, string(rec[:n]))
					if held != nil {
						*held = append(*held, r.pool.Held())
					}
					return rec[n:], nil
				}
			}
			var want, got []string
			var held []int
			require.NoError(t, r.each(read(&want, nil)))
			require.Len(t, want, 49997)
			require.NotContains(t, want, "record 00007;")
			require.Equal(t, "record 49998;", want[len(want)-1])
			require.NoError(t, r.each(read(&got, nil)))
			require.Equal(t, want, got, "each reads the same twice")
			got = nil
			require.NoError(t, r.drain(read(&got, &held)))
			require.Equal(t, want, got)
			if budget != 0 {
				require.Positive(t, held[0], "chunks in memory before the first is through")
				require.Less(t, held[len(held)-1], held[0], "earlier chunks released while the last is read")
			}
			require.Nil(t, r.sealed)
			require.Zero(t, r.pool.Held())
			var after []string
			require.NoError(t, r.each(read(&after, nil)))
			require.Empty(t, after)
		})
	}
}

// A buffer whose pool could not spill fails its walk with the reason, before
// handing out any record.
func TestRecordBufSpillFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	r := recordBuf{pool: spill.New(dir, "records", 0)}
	for range 3000 {
		r.add(func(dst []byte) []byte { return append(dst, "some record;"...) })
	}
	n := 0
	err := r.drain(func(rec []byte) ([]byte, error) { n++; return nil, nil })
	require.ErrorContains(t, err, "records to a temporary file in "+dir)
	require.Zero(t, n)
}

// The records are written once: replay releases them, so a store that
// called its Ingest callback twice gets an error, not an empty snapshot.
func TestReplayRunsOnce(t *testing.T) {
	l := newLoader(Options{})
	var w countWriter
	require.NoError(t, l.replay(context.Background(), &w))
	require.ErrorContains(t, l.replay(context.Background(), &w), "already written")
}

type countWriter struct{ graph.Writer }
