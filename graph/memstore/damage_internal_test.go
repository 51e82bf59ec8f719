package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

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

// TestDamageCorpus damages a small two-snapshot store at 200 seeded places
// each way — a flipped bit, a zeroed page, a truncation — and reads it back:
// every outcome is an error wrapping ErrDamaged (or ErrNotStore when the
// format marker itself is hit) or exactly the right answer, never a panic,
// never a different answer.
func TestDamageCorpus(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reachgraph.db")
	s, err := Open(path, withChunkSize(512), WithDerived("records", graph.DeriveData(recordsJSON)), withDerivedChunk(700))
	require.NoError(t, err)
	storetest.Ingest(t, s, storetest.Synthetic(300, 1))
	storetest.Ingest(t, s, storetest.Synthetic(300, 2))
	require.NoError(t, s.Close())
	pristine, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := answer(path)
	require.NoError(t, err)
	m0, err := readMeta(bytes.NewReader(pristine), 0)
	require.NoError(t, err)
	pageSize := int64(m0.pageSize)
	used := int64(m0.pgid) * pageSize
	m1, err := readMeta(bytes.NewReader(pristine), pageSize)
	require.NoError(t, err)
	used = max(used, int64(m1.pgid)*pageSize)

	rng := rand.New(rand.NewPCG(11, 12))
	damages := map[string]func(b []byte) []byte{
		"bit flip": func(b []byte) []byte {
			off := rng.Int64N(used)
			b[off] ^= 1 << rng.IntN(8)
			return b
		},
		"zeroed page": func(b []byte) []byte {
			p := rng.Int64N(used / pageSize)
			clear(b[p*pageSize : (p+1)*pageSize])
			return b
		},
		"truncation": func(b []byte) []byte { return b[:rng.Int64N(used)] },
	}
	counts := map[string]int{}
	for name, damage := range damages {
		for i := range 200 {
			bad := filepath.Join(dir, "bad.db")
			require.NoError(t, os.WriteFile(bad, damage(bytes.Clone(pristine)), 0o600))
			got, err := answer(bad)
			switch {
			case err == nil:
				if got != want {
					t.Fatalf("%s #%d: a damaged file gave a different answer (%d bytes, want %d)", name, i, len(got), len(want))
				}
				counts[name+": right answer"]++
			case errors.Is(err, ErrDamaged), errors.Is(err, ErrNotStore):
				counts[name+": error"]++
			default:
				t.Fatalf("%s #%d: error that does not say the file is damaged: %v", name, i, err)
			}
		}
	}
	t.Log(counts)
}

// recordsJSON is the derived data of the damage corpus: every record, as
// JSON (several chunks of derived data per snapshot).
func recordsJSON(ctx context.Context, r graph.Reader) ([]byte, error) {
	d, err := graph.ReadAll(ctx, r)
	if err != nil {
		return nil, err
	}
	return json.Marshal(d)
}

// answer lists the snapshots of the store at path and reads the newest and
// the oldest, records and derived data, recovering a panic into a failure
// the corpus test reports.
func answer(path string) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		return "", err
	}
	defer s.Close()
	list, err := s.Snapshots(ctx)
	if err != nil {
		return "", err
	}
	all := []any{list}
	for _, id := range []graph.SnapshotID{"", list[0].ID} {
		r, err := s.Snapshot(ctx, id)
		if err != nil {
			return "", err
		}
		d, err := graph.ReadAll(ctx, r)
		if err != nil {
			return "", err
		}
		derived, found, err := r.(graph.DerivedReader).Derived(ctx, "records")
		if err != nil {
			return "", err
		}
		if !found {
			return "", errors.New("no derived data")
		}
		all = append(all, d, string(derived))
	}
	js, err := json.Marshal(all)
	return string(js), err
}

// TestOldFormatRefused: a version 2 file (no checksums), a version 4 file
// (no stored projection) and a version 5 file (credentials without a flags
// byte) are refused with a message saying to re-ingest, and left alone.
func TestOldFormatRefused(t *testing.T) {
	for _, v := range []string{"reachgraph-memstore/2", "reachgraph-memstore/4", "reachgraph-memstore/5"} {
		t.Run(v, func(t *testing.T) { oldFormatRefused(t, v) })
	}
}

func oldFormatRefused(t *testing.T, version string) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketInfo)
		if err != nil {
			return err
		}
		return b.Put(keyFormat, []byte(version))
	}))
	require.NoError(t, db.Close())
	s, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Snapshots(context.Background())
	require.ErrorIs(t, err, ErrNotStore)
	require.ErrorContains(t, err, "ingest the inputs again into a new store file")
	require.ErrorContains(t, err, `has format "`+version+`", this reachgraph reads "reachgraph-memstore/7"`)
}

// TestVerify: Verify finds nothing in an intact store, and names exactly the
// snapshot whose chunk was damaged (and a snapshot whose records were
// replaced by other valid-looking records with a fresh checksum: the content
// hash no longer matches the id).
func TestVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	a := storetest.Ingest(t, s, storetest.Synthetic(300, 1))
	b := storetest.Ingest(t, s, storetest.Synthetic(300, 2))
	v, err := s.Verify(context.Background())
	require.NoError(t, err)
	require.True(t, v.Intact())
	require.Len(t, v.Snapshots, 2)

	// b's grants chunk re-sealed with one record dropped: checksums pass,
	// decoding passes, the counts and the content hash do not.
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketSnapshots).Bucket(seqKey(2)).Bucket(kindBuckets[kindGrant])
		v := bk.Get(chunkKey(nil, 0))
		data := v[:len(v)-crcLen]
		_, rest, err := graph.DecodeGrantShared(data)
		if err != nil {
			return err
		}
		return bk.Put(chunkKey(nil, 0), sealChunk(b.ID, kindGrant, 0, append([]byte(nil), rest...)))
	}))
	require.NoError(t, db.Close())
	v, err = s.Verify(context.Background())
	require.NoError(t, err)
	require.False(t, v.Intact())
	require.NoError(t, v.File)
	require.NoError(t, v.Snapshots[0].Err, "snapshot %s is intact", a.ID)
	require.ErrorIs(t, v.Snapshots[1].Err, ErrDamaged)
	require.ErrorContains(t, v.Snapshots[1].Err, "snapshot "+string(b.ID)+" is damaged")
}
