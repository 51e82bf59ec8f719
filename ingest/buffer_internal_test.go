package ingest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

// drain hands out what each does, dropped records left out, and leaves the
// buffer empty, its chunks released one by one as they are read.
func TestRecordBufDrain(t *testing.T) {
	var r recordBuf
	var spans []bufSpan
	for i := range 5000 { // several chunks
		rec := fmt.Sprintf("record %04d;", i)
		spans = append(spans, r.add(func(dst []byte) []byte { return append(dst, rec...) }))
	}
	require.Greater(t, len(r.chunks), 3)
	r.drop(spans[7])
	r.drop(spans[4000])
	read := func(into *[]string, chunks *[]int) func(rec []byte) ([]byte, error) {
		return func(rec []byte) ([]byte, error) {
			n := len("record 0000;")
			*into = append(*into, string(rec[:n]))
			if chunks != nil {
				released := 0
				for _, c := range r.chunks {
					if c == nil {
						released++
					}
				}
				*chunks = append(*chunks, released)
			}
			return rec[n:], nil
		}
	}
	var want, got []string
	var released []int
	require.NoError(t, r.each(read(&want, nil)))
	require.Len(t, want, 4998)
	require.NotContains(t, want, "record 0007;")
	require.NoError(t, r.drain(read(&got, &released)))
	require.Equal(t, want, got)
	require.Zero(t, released[0], "nothing released before the first chunk is through")
	require.Greater(t, released[len(released)-1], 2, "earlier chunks released while the last is read")
	require.Nil(t, r.chunks)
	var after []string
	require.NoError(t, r.each(read(&after, nil)))
	require.Empty(t, after)
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
