package memstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// TestDerived: derived data computed at ingest is read back whole over
// several chunks; a failing derivation stores the snapshot without it; a
// flipped byte in a chunk, a missing chunk or a wrong size is damage, in
// Derived and in Verify.
func TestDerived(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s, err := Open(path, WithDerived("records", graph.DeriveData(recordsJSON)), withDerivedChunk(1000),
		WithDerived("broken", graph.DeriveData(func(context.Context, graph.Reader) ([]byte, error) { return nil, errors.New("cannot") })))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	d := storetest.Synthetic(300, 1)
	meta := storetest.Ingest(t, s, d)
	r, err := s.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	want, err := recordsJSON(ctx, r) // what the derivation computed over the spool, now over the stored records
	require.NoError(t, err)
	dr := r.(graph.DerivedReader)
	got, found, err := dr.Derived(ctx, "records")
	require.NoError(t, err)
	require.True(t, found)
	require.True(t, bytes.Equal(want, got), "derived data read back differs")
	require.Greater(t, len(got), 5000, "several chunks")
	_, found, err = dr.Derived(ctx, "broken")
	require.NoError(t, err)
	require.False(t, found, "a failed derivation stores nothing")
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, v.Intact())

	for name, damage := range map[string]func(b *bolt.Bucket) error{
		"flipped byte": func(b *bolt.Bucket) error {
			v := bytes.Clone(b.Get(derivedKey(2)))
			v[10] ^= 1
			return b.Put(derivedKey(2), v)
		},
		"missing chunk": func(b *bolt.Bucket) error { return b.Delete(derivedKey(3)) },
		"wrong size":    func(b *bolt.Bucket) error { return b.Put(keySize, []byte{0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3, 4}) },
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.db")
			require.NoError(t, s.Close())
			copyFile(t, path, bad)
			db, err := bolt.Open(bad, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				return damage(tx.Bucket(bucketSnapshots).Bucket(seqKey(1)).Bucket(bucketDerived).Bucket([]byte("records")))
			}))
			require.NoError(t, db.Close())
			b, err := Open(bad)
			require.NoError(t, err)
			defer b.Close()
			r, err := b.Snapshot(ctx, meta.ID)
			require.NoError(t, err)
			_, _, err = r.(graph.DerivedReader).Derived(ctx, "records")
			require.ErrorIs(t, err, ErrDamaged)
			require.ErrorContains(t, err, "snapshot "+string(meta.ID)+" is damaged: stored records")
			v, err := b.Verify(ctx)
			require.NoError(t, err)
			require.ErrorIs(t, v.Snapshots[0].Err, ErrDamaged)
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, data, 0o600))
}

// TestReingestRefreshesDerived: re-ingesting the content of an existing
// snapshot adds no snapshot but stores its derived data where it is missing
// (written without it), different (an earlier build's form) or damaged, and
// writes nothing when it is already what the records give.
func TestReingestRefreshesDerived(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	d := storetest.Synthetic(300, 2)
	reingest := func(opts ...Option) (graph.SnapshotMeta, []byte) {
		t.Helper()
		s, err := Open(path, append([]Option{withDerivedChunk(1000)}, opts...)...)
		require.NoError(t, err)
		defer s.Close()
		meta := storetest.Ingest(t, s, d)
		r, err := s.Snapshot(ctx, meta.ID)
		require.NoError(t, err)
		data, found, err := r.(graph.DerivedReader).Derived(ctx, "records")
		require.NoError(t, err)
		if !found {
			return meta, nil
		}
		snaps, err := s.Snapshots(ctx)
		require.NoError(t, err)
		require.Len(t, snaps, 1, "a re-ingest adds no snapshot")
		return meta, data
	}
	first, data := reingest()
	require.Nil(t, data, "stored without derived data")

	var notes []string
	again, data := reingest(WithDerived("records", graph.DeriveData(recordsJSON)), WithNotify(func(m string) { notes = append(notes, m) }))
	require.Equal(t, first, again, "the existing snapshot's metadata")
	require.Equal(t, []string{"snapshot " + string(first.ID) + ": stored records was missing; stored now"}, notes)
	s, err := Open(path)
	require.NoError(t, err)
	r, err := s.Snapshot(ctx, first.ID)
	require.NoError(t, err)
	want, err := recordsJSON(ctx, r)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.True(t, bytes.Equal(want, data), "the missing derived data is stored")

	before, err := os.ReadFile(path)
	require.NoError(t, err)
	_, data = reingest(WithDerived("records", graph.DeriveData(recordsJSON)))
	require.True(t, bytes.Equal(want, data))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(before, after), "nothing is written when the derived data is current")

	other := func(ctx context.Context, r graph.Reader) ([]byte, error) {
		b, err := recordsJSON(ctx, r)
		return append([]byte("v2:"), b...), err
	}
	_, data = reingest(WithDerived("records", graph.DeriveData(other)))
	require.True(t, bytes.Equal(append([]byte("v2:"), want...), data), "a different form is replaced")

	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnapshots).Bucket(seqKey(1)).Bucket(bucketDerived).Bucket([]byte("records"))
		v := bytes.Clone(b.Get(derivedKey(2)))
		v[10] ^= 1
		return b.Put(derivedKey(2), v)
	}))
	require.NoError(t, db.Close())
	_, data = reingest(WithDerived("records", graph.DeriveData(recordsJSON)))
	require.True(t, bytes.Equal(want, data), "damaged derived data is replaced")
	s, err = Open(path)
	require.NoError(t, err)
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	require.True(t, v.Intact())
	require.NoError(t, s.Close())

	// With a check of the stored form, intact data that passes it is kept
	// without computing it; data that fails it is computed and replaced.
	calls := 0
	counted := func(ctx context.Context, r graph.Reader) ([]byte, error) { calls++; return other(ctx, r) }
	_, data = reingest(WithDerived("records", graph.DeriveData(counted)), WithDerivedCheck("records", func([]byte) bool { return true }))
	require.Zero(t, calls, "current data is not computed")
	require.True(t, bytes.Equal(want, data), "and is kept")
	_, data = reingest(WithDerived("records", graph.DeriveData(counted)), WithDerivedCheck("records", func(b []byte) bool { return bytes.HasPrefix(b, []byte("v2:")) }))
	require.Equal(t, 1, calls)
	require.True(t, bytes.Equal(append([]byte("v2:"), want...), data), "data of another form is replaced")
}

// TestReingestRepairsRecords: re-ingesting the sources of a snapshot whose
// records are damaged — a flipped byte, a lost chunk, a lost kind — puts
// them back under the same id, and the store verifies intact again; records
// cut into chunks of another size are intact and left as they are.
func TestReingestRepairsRecords(t *testing.T) {
	ctx := context.Background()
	d := storetest.Synthetic(300, 3)
	dir := t.TempDir()
	path := filepath.Join(dir, "reachgraph.db")
	s, err := Open(path, withChunkSize(256))
	require.NoError(t, err)
	meta := storetest.Ingest(t, s, d)
	require.NoError(t, s.Close())
	for name, damage := range map[string]func(snap *bolt.Bucket) error{
		"flipped byte": func(snap *bolt.Bucket) error {
			b := snap.Bucket(kindBuckets[kindIdentity])
			v := bytes.Clone(b.Get(chunkKey(nil, 1)))
			v[3] ^= 1
			return b.Put(chunkKey(nil, 1), v)
		},
		"lost chunk": func(snap *bolt.Bucket) error { return snap.Bucket(kindBuckets[kindGrant]).Delete(chunkKey(nil, 2)) },
		"lost last chunk": func(snap *bolt.Bucket) error {
			b := snap.Bucket(kindBuckets[kindGrant])
			k, _ := b.Cursor().Last()
			return b.Delete(k)
		},
		"lost kind": func(snap *bolt.Bucket) error { return snap.DeleteBucket(kindBuckets[kindMembership]) },
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.db")
			copyFile(t, path, bad)
			db, err := bolt.Open(bad, 0o600, nil)
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *bolt.Tx) error { return damage(tx.Bucket(bucketSnapshots).Bucket(seqKey(1))) }))
			require.NoError(t, db.Close())
			var notes []string
			b, err := Open(bad, withChunkSize(256), WithNotify(func(m string) { notes = append(notes, m) }))
			require.NoError(t, err)
			defer b.Close()
			v, err := b.Verify(ctx)
			require.NoError(t, err)
			require.False(t, v.Intact(), "the damage is seen")

			again := storetest.Ingest(t, b, d)
			require.Equal(t, meta, again, "the same snapshot")
			require.Len(t, notes, 1)
			require.Contains(t, notes[0], "snapshot "+string(meta.ID)+": damaged records replaced from the sources (")
			storetest.Ingest(t, b, d)
			require.Len(t, notes, 1, "nothing to say when intact")
			v, err = b.Verify(ctx)
			require.NoError(t, err)
			require.True(t, v.Intact(), "repaired: %v", v.Snapshots)
			storetest.RequireRecords(t, storetest.Normalize(d), storetest.ReadSnapshot(t, b, meta.ID))
		})
	}

	// Another chunk size cuts the same records otherwise: intact, not rewritten.
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	s, err = Open(path, withChunkSize(4096))
	require.NoError(t, err)
	storetest.Ingest(t, s, d)
	require.NoError(t, s.Close())
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(before, after), "intact records are not rewritten")
}

// TestDerivedSpilledAndBatched: derived data written piece by piece goes
// to the spool's temporary file past its budget and into the store in
// several commit transactions; it reads back as written, as data held whole
// and committed at once does, and a derivation that fails halfway leaves
// nothing.
func TestDerivedSpilledAndBatched(t *testing.T) {
	ctx := context.Background()
	d := storetest.Synthetic(300, 1)
	halfway := func(ctx context.Context, r graph.Reader, w io.Writer) error {
		if _, err := w.Write(make([]byte, 5000)); err != nil {
			return err
		}
		return errors.New("cannot finish")
	}
	piecewise := func(ctx context.Context, r graph.Reader, w io.Writer) error {
		data, err := recordsJSON(ctx, r)
		if err != nil {
			return err
		}
		for len(data) > 0 { // odd pieces across the chunk boundaries
			n := min(len(data), 333)
			if _, err := w.Write(data[:n]); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	}
	commits := func(opts ...Option) int { // commit transactions of an ingest without "records"
		batches := 0
		s, err := Open(filepath.Join(t.TempDir(), "reachgraph.db"), append(opts, withAfterBatch(func() { batches++ }))...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		storetest.Ingest(t, s, d)
		return batches
	}
	derivedOf := func(opts ...Option) ([]byte, int) {
		batches := 0
		opts = append(opts, withDerivedChunk(1000), WithDerived("half", halfway), withAfterBatch(func() { batches++ }))
		s, err := Open(filepath.Join(t.TempDir(), "reachgraph.db"), opts...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		meta := storetest.Ingest(t, s, d)
		r, err := s.Snapshot(ctx, meta.ID)
		require.NoError(t, err)
		got, found, err := r.(graph.DerivedReader).Derived(ctx, "records")
		require.NoError(t, err)
		require.True(t, found)
		want, err := recordsJSON(ctx, r) // what the derivation computed, over the stored records
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "derived data read back differs")
		_, found, err = r.(graph.DerivedReader).Derived(ctx, "half")
		require.NoError(t, err)
		require.False(t, found, "a derivation that failed halfway stores nothing")
		v, err := s.Verify(ctx)
		require.NoError(t, err)
		require.True(t, v.Intact(), "%+v", v)
		return got, batches
	}
	held, _ := derivedOf(WithDerived("records", graph.DeriveData(recordsJSON)))
	require.Greater(t, len(held), 5000, "several chunks")
	spilled, batches := derivedOf(WithDerived("records", piecewise), withSpillAt(0), withCommitBatch(2000))
	require.Greater(t, len(spilled), 5000) // the same records (its ingested_at differs)
	require.GreaterOrEqual(t, batches-commits(withSpillAt(0), withCommitBatch(2000)), len(spilled)/2000,
		"the derived data took transactions of its own, about 2000 bytes each")
}
