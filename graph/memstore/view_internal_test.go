package memstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// viewStore ingests a synthetic estate with its projection stored in
// chunks of 4 KiB (so, many chunks, the larger arrays in chunks of their
// own) and returns the store and the snapshot's reader.
func viewStore(t *testing.T, path string) (*Store, graph.Reader) {
	t.Helper()
	s, err := Open(path, WithDerived(projection.StoredName, projection.Derive), withDerivedChunk(4096))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	meta := storetest.Ingest(t, s, storetest.Synthetic(2000, 1))
	r, err := s.Snapshot(context.Background(), meta.ID)
	require.NoError(t, err)
	return s, r
}

// TestDerivedView: the view of the stored projection is its chunks, in
// order, as Derived reads them; each lies 8-byte aligned in the mapped
// file, so LoadParts uses the projection's arrays where they lie, and the
// projection answers as the one Derived returns.
func TestDerivedView(t *testing.T) {
	ctx := context.Background()
	_, r := viewStore(t, filepath.Join(t.TempDir(), "reachgraph.db"))
	whole, found, err := r.(graph.DerivedReader).Derived(ctx, projection.StoredName)
	require.NoError(t, err)
	require.True(t, found)
	parts, release, found, err := r.(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, true)
	require.NoError(t, err)
	require.True(t, found)
	defer release()
	require.Greater(t, len(parts), 5)
	require.Equal(t, whole, bytes.Join(parts, nil))
	for i, p := range parts {
		require.Zero(t, uintptr(unsafe.Pointer(unsafe.SliceData(p)))%8, "part %d is 8-byte aligned", i)
	}
	q, err := projection.LoadParts(r.Meta(), parts)
	require.NoError(t, err)
	in := func(ptr unsafe.Pointer) bool {
		return slices.ContainsFunc(parts, func(p []byte) bool {
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
			return uintptr(ptr) >= lo && uintptr(ptr) < lo+uintptr(len(p))
		})
	}
	require.NotEmpty(t, q.Grants)
	require.True(t, in(unsafe.Pointer(unsafe.SliceData(q.Grants))), "grants used where they lie")
	require.True(t, in(unsafe.Pointer(unsafe.SliceData(q.MemberIn.Adj))), "memberships used where they lie")
	p, err := projection.Load(r.Meta(), whole)
	require.NoError(t, err)
	a, err := p.AppendBinary(nil)
	require.NoError(t, err)
	b, err := q.AppendBinary(nil)
	require.NoError(t, err)
	require.Equal(t, a, b)

	_, _, found, err = r.(graph.DerivedViewer).DerivedView(ctx, "no such data", true)
	require.NoError(t, err)
	require.False(t, found)
}

// TestDerivedViewHoldsTheFile: while a view is lent, a commit of the same
// Store and its Close wait (they would unmap the file under it); release
// lets them go. Releasing twice is harmless.
func TestDerivedViewHoldsTheFile(t *testing.T) {
	ctx := context.Background()
	s, r := viewStore(t, filepath.Join(t.TempDir(), "reachgraph.db"))
	_, release, _, err := r.(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, true)
	require.NoError(t, err)
	committed := make(chan error, 1)
	go func() {
		_, err := s.Ingest(ctx, graph.SnapshotMeta{Source: "second"}, func(w graph.Writer) error {
			return storetest.Synthetic(50, 2).WriteTo(w)
		})
		committed <- err
	}()
	select {
	case err := <-committed:
		t.Fatalf("a commit went ahead while a view was lent (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	release()
	require.NoError(t, <-committed)
	release()

	_, release, _, err = r.(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, true)
	require.NoError(t, err)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while a view was lent")
	case <-time.After(200 * time.Millisecond):
	}
	release()
	require.NoError(t, <-closed)
}

// TestDerivedViewChecks: a checked view finds a flipped byte as Derived
// does; an unchecked one checks the stored size and that the chunks add up
// to it, not the chunks' checksums (that would read every page of a
// projection a question touches a little of).
func TestDerivedViewChecks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s, r := viewStore(t, path)
	meta := r.Meta()
	require.NoError(t, s.Close())
	damage := func(fn func(b *bolt.Bucket) error) graph.Reader {
		bad := filepath.Join(t.TempDir(), "bad.db")
		copyFile(t, path, bad)
		db, err := bolt.Open(bad, 0o600, nil)
		require.NoError(t, err)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error {
			return fn(tx.Bucket(bucketSnapshots).Bucket(seqKey(1)).Bucket(bucketDerived).Bucket([]byte(projection.StoredName)))
		}))
		require.NoError(t, db.Close())
		b, err := Open(bad)
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		r, err := b.Snapshot(ctx, meta.ID)
		require.NoError(t, err)
		return r
	}
	flipped := damage(func(b *bolt.Bucket) error {
		v := bytes.Clone(b.Get(derivedKey(1)))
		v[derivedHead+3] ^= 1
		return b.Put(derivedKey(1), v)
	})
	_, _, err := flipped.(graph.DerivedReader).Derived(ctx, projection.StoredName)
	require.ErrorIs(t, err, ErrDamaged)
	_, _, _, err = flipped.(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, true)
	require.ErrorIs(t, err, ErrDamaged)
	require.ErrorContains(t, err, "chunk 1: checksum mismatch")
	parts, release, _, err := flipped.(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, false)
	require.NoError(t, err)
	require.NotEmpty(t, parts)
	release()

	for name, fn := range map[string]func(b *bolt.Bucket) error{
		"missing chunk": func(b *bolt.Bucket) error { return b.Delete(derivedKey(2)) },
		"wrong size":    func(b *bolt.Bucket) error { return b.Put(keySize, []byte{0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3, 4}) },
		"short chunk": func(b *bolt.Bucket) error {
			return b.Put(derivedKey(0), []byte{1, 2, 3})
		},
	} {
		for _, check := range []bool{true, false} {
			_, _, _, err := damage(fn).(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, check)
			require.ErrorIs(t, err, ErrDamaged, name)
			require.ErrorContains(t, err, "snapshot "+string(meta.ID)+" is damaged: stored projection", name)
		}
	}
}

// TestDerivedVersion6: derived data in a version 6 file (4-byte chunk keys,
// the checksum after the bytes) is read, checked and viewed; the next
// commit into the file marks it version 7 and writes its own derived data
// in the new form, and both snapshots read back.
func TestDerivedVersion6(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s, r := viewStore(t, path)
	want, _, err := r.(graph.DerivedReader).Derived(ctx, projection.StoredName)
	require.NoError(t, err)
	meta := r.Meta()
	require.NoError(t, s.Close())
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketSnapshots).Bucket(seqKey(1)).Bucket(bucketDerived)
		b := all.Bucket([]byte(projection.StoredName))
		var olds [][2][]byte
		for n := uint32(0); ; n++ {
			v := b.Get(derivedKey(n))
			if v == nil {
				break
			}
			data := v[derivedHead:]
			key := chunkKey(nil, n)
			old := binary.BigEndian.AppendUint32(bytes.Clone(data), derivedSum(meta.ID, projection.StoredName, key, data))
			olds = append(olds, [2][]byte{key, old})
		}
		size := bytes.Clone(b.Get(keySize))
		require.NoError(t, all.DeleteBucket([]byte(projection.StoredName)))
		nb, err := all.CreateBucket([]byte(projection.StoredName))
		require.NoError(t, err)
		for _, kv := range olds {
			require.NoError(t, nb.Put(kv[0], kv[1]))
		}
		require.NoError(t, nb.Put(keySize, size))
		return tx.Bucket(bucketInfo).Put(keyFormat, []byte(formatV6))
	}))
	require.NoError(t, db.Close())

	s, err = Open(path, WithDerived(projection.StoredName, projection.Derive))
	require.NoError(t, err)
	defer s.Close()
	check := func(id graph.SnapshotID) []byte {
		r, err := s.Snapshot(ctx, id)
		require.NoError(t, err)
		got, found, err := r.(graph.DerivedReader).Derived(ctx, projection.StoredName)
		require.NoError(t, err)
		require.True(t, found)
		parts, release, _, err := r.(graph.DerivedViewer).DerivedView(ctx, projection.StoredName, true)
		require.NoError(t, err)
		require.Equal(t, got, bytes.Join(parts, nil))
		_, err = projection.LoadParts(r.Meta(), parts)
		require.NoError(t, err)
		release()
		return got
	}
	require.Equal(t, want, check(meta.ID), "version 6 derived data reads back")
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, v.Intact())

	second := storetest.Ingest(t, s, storetest.Synthetic(100, 2))
	check(second.ID)
	require.Equal(t, want, check(meta.ID))
	format := func() string {
		var f string
		_, err := s.view(func(tx *bolt.Tx) error { f = string(tx.Bucket(bucketInfo).Get(keyFormat)); return nil })
		require.NoError(t, err)
		return f
	}
	require.Equal(t, formatV7, format())
}
