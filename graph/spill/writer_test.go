package spill_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/spill"
)

// TestWriterChunks: what is written in uneven pieces comes back as full
// chunks and one shorter last chunk, in order, whether held in memory or
// in the file; each chunk made has the spare room asked for.
func TestWriterChunks(t *testing.T) {
	var all []byte
	for i := range 5000 {
		all = append(all, bytes.Repeat([]byte{byte(i)}, 1+i%37)...)
	}
	for _, budget := range []int{1 << 30, 100, 0} { // all in memory, the first chunk held, all spilled
		pool := spill.New(t.TempDir(), "test", budget)
		w := &spill.Writer{Pool: pool, Chunk: 100, Spare: 4}
		for rest := all; len(rest) > 0; {
			k := min(len(rest), 1+len(rest)%53)
			n, err := w.Write(rest[:k])
			require.NoError(t, err)
			require.Equal(t, k, n)
			rest = rest[k:]
		}
		chunks, size := w.Finish()
		require.Equal(t, len(all), size)
		require.Len(t, chunks, (len(all)+99)/100)
		var got []byte
		for i, c := range chunks {
			want := min(100, len(all)-i*100)
			require.Equal(t, want, c.Len(), "chunk %d", i)
			b, err := pool.Read(c, nil)
			require.NoError(t, err)
			if !c.Spilled() {
				require.Equal(t, 104, cap(b), "chunk %d has its spare room", i)
			}
			got = append(got, b...)
		}
		require.Equal(t, all, got, "budget %d", budget)
		require.Equal(t, budget == 0, pool.Held() == 0, "budget %d", budget)
		pool.Close()
	}
}

// TestWriterNothingAndDiscard: nothing written gives no chunk; Discard
// gives the held chunks' memory back to the pool's budget.
func TestWriterNothingAndDiscard(t *testing.T) {
	pool := spill.New(t.TempDir(), "test", 1<<20)
	defer pool.Close()
	w := &spill.Writer{Pool: pool, Chunk: 10}
	chunks, size := w.Finish()
	require.Empty(t, chunks)
	require.Zero(t, size)

	w = &spill.Writer{Pool: pool, Chunk: 10}
	_, err := w.Write(make([]byte, 35))
	require.NoError(t, err)
	require.Equal(t, 30, pool.Held(), "three full chunks sealed, five bytes pending")
	w.Discard()
	require.Zero(t, pool.Held())
}

// TestWriterSections: a section that does not fit in what is left of a
// chunk starts the next one, a section longer than Chunk gets a chunk of
// its own of its length, and no section spans two chunks; what is written
// comes back the same.
func TestWriterSections(t *testing.T) {
	sizes := []int{8, 40, 96, 8, 250, 16, 100, 3, 1000, 64, 64, 64}
	for _, budget := range []int{1 << 30, 0} {
		pool := spill.New(t.TempDir(), "test", budget)
		w := &spill.Writer{Pool: pool, Chunk: 100, Spare: 4}
		var all []byte
		var starts []int
		for i, n := range sizes {
			w.Section(n)
			starts = append(starts, len(all))
			b := bytes.Repeat([]byte{byte(i + 1)}, n)
			_, err := w.Write(b[:n/2]) // a section may come in several writes
			require.NoError(t, err)
			_, err = w.Write(b[n/2:])
			require.NoError(t, err)
			all = append(all, b...)
		}
		chunks, size := w.Finish()
		require.Equal(t, len(all), size)
		var got []byte
		var bounds []int
		for _, c := range chunks {
			b, err := pool.Read(c, nil)
			require.NoError(t, err)
			bounds = append(bounds, len(got))
			got = append(got, b...)
		}
		bounds = append(bounds, len(got))
		require.Equal(t, all, got, "budget %d", budget)
		for i, n := range sizes {
			at := starts[i]
			j := 0
			for bounds[j+1] <= at {
				j++
			}
			require.LessOrEqual(t, at+n, bounds[j+1], "section %d (%d bytes at %d) spans chunks %v", i, n, at, bounds)
		}
		// The 250- and 1000-byte sections have chunks of their own.
		lens := make([]int, len(chunks))
		for i, c := range chunks {
			lens[i] = c.Len()
		}
		require.Contains(t, lens, 250)
		require.Contains(t, lens, 1000)
		pool.Close()
	}
}
