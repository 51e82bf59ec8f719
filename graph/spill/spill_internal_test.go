package spill

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPoolBudget: chunks stay in memory while they fit the budget and go to
// an unnamed file past it; every chunk reads back as it was sealed, in any
// order, also after a spilled chunk's buffer was written over; released
// memory makes room again; Close releases the file.
func TestPoolBudget(t *testing.T) {
	dir := t.TempDir()
	p := New(dir, "records", 10<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	var refs []Ref
	var want [][]byte
	buf := make([]byte, 0, 4<<10)
	for i := range 40 {
		chunk := buf[:1+rng.IntN(4<<10)]
		for j := range chunk {
			chunk[j] = byte(i*7 + j)
		}
		want = append(want, bytes.Clone(chunk))
		ref, reuse := p.Seal(chunk)
		require.Equal(t, len(chunk), ref.Len())
		refs = append(refs, ref)
		if reuse {
			clear(chunk) // the pool has written it: the caller may reuse it
		} else {
			buf = make([]byte, 0, 4<<10)
		}
		require.LessOrEqual(t, p.Held(), 10<<10)
	}
	require.NoError(t, p.Err())
	require.Positive(t, p.Spilled())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the spill file has no name")

	var scratch []byte
	for _, i := range rng.Perm(len(refs)) {
		got, err := p.Read(refs[i], scratch)
		require.NoError(t, err)
		require.Equal(t, want[i], got, "chunk %d", i)
		if refs[i].onDisk {
			scratch = got
		}
	}

	held := p.Held()
	for _, r := range refs {
		p.Release(r)
	}
	require.Zero(t, p.Held(), "every held chunk released (%d bytes before)", held)
	_, reuse := p.Seal(make([]byte, 100))
	require.False(t, reuse, "released memory makes room under the budget again")

	p.Close()
	require.Nil(t, p.file)
}

// TestPoolCannotSpill: when the file cannot be made, chunks stay in memory
// and Err names the directory.
func TestPoolCannotSpill(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	p := New(dir, "records", 0)
	ref, reuse := p.Seal([]byte("abc"))
	require.False(t, reuse)
	got, err := p.Read(ref, nil)
	require.NoError(t, err)
	require.Equal(t, "abc", string(got))
	require.ErrorContains(t, p.Err(), "ingest: records to a temporary file in "+dir)
	p.Close()

	q := New(dir, "unused grants", 0)
	q.Op = "report"
	q.Seal([]byte("abc"))
	require.ErrorContains(t, q.Err(), "report: unused grants to a temporary file in "+dir, "Op names the operation")
	q.Close()
}

// TestZeroPool: the zero Pool never spills.
func TestZeroPool(t *testing.T) {
	var p Pool
	_, reuse := p.Seal(make([]byte, 1))
	require.False(t, reuse)
	require.Zero(t, p.Spilled())
}
