package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

func tierSStore(t *testing.T, path string, opts ...memstore.Option) graph.SnapshotID {
	t.Helper()
	tier, err := gen.TierByName("S")
	require.NoError(t, err)
	st, err := memstore.Open(path, opts...)
	require.NoError(t, err)
	defer st.Close()
	ctx := context.Background()
	m, err := st.Ingest(ctx, gen.Meta(tier, 1), func(w graph.Writer) error { return gen.Generate(ctx, tier, 1, w, nil) })
	require.NoError(t, err)
	return m.ID
}

func openSession(t *testing.T, path string, opts ...session.Option) *session.Session {
	t.Helper()
	st, err := memstore.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	s, err := session.Open(context.Background(), st, "", opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close) // before the store's Close, which waits for it
	return s
}

// A session over the projection stored at ingest answers exactly as one
// over the projection built from the records; a damaged stored projection
// is an error, not a rebuilt (or wrong) answer.
func TestStoredProjection(t *testing.T) {
	dir := t.TempDir()
	builtPath, storedPath := dir+"/built.db", dir+"/stored.db"
	id := tierSStore(t, builtPath)
	require.Equal(t, id, tierSStore(t, storedPath, memstore.WithDerived(projection.StoredName, projection.Derive)))
	built, stored := openSession(t, builtPath), openSession(t, storedPath)
	inPlace, unchecked := openSession(t, storedPath, session.WithInPlace()), openSession(t, storedPath, session.WithInPlaceUnchecked())
	ctx := context.Background()
	require.Equal(t, built.Kinds(), stored.Kinds())
	require.Equal(t, built.Kinds(), inPlace.Kinds())
	for _, kind := range built.Kinds() {
		for _, a := range schema.Actions {
			q := session.WhoCan{Action: a, Kind: kind}
			want, err := built.WhoCan(ctx, time.Time{}, q)
			require.NoError(t, err)
			for name, s := range map[string]*session.Session{"stored": stored, "in place": inPlace, "unchecked": unchecked} {
				got, err := s.WhoCan(ctx, time.Time{}, q)
				require.NoError(t, err)
				require.Equal(t, want, got, "%s: %s %s", name, a, kind)
			}
		}
	}
	idx, err := openRecords(t, builtPath).Records(ctx)
	require.NoError(t, err)
	for i, x := range idx.IdentityIDs() {
		if i%97 != 0 {
			continue
		}
		want, err := built.Reach(ctx, time.Time{}, reach.ReachQuery{Identity: x})
		require.NoError(t, err)
		got, err := stored.Reach(ctx, time.Time{}, reach.ReachQuery{Identity: x})
		require.NoError(t, err)
		require.Equal(t, want, got, x)
	}

	// An in-place session holds the store file (its shared lock) until
	// closed: the damage below needs the file to itself.
	inPlace.Close()
	unchecked.Close()
	db, err := bolt.Open(storedPath, 0o600, &bolt.Options{Timeout: 10 * time.Second})
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("snapshots")).Bucket([]byte{0, 0, 0, 0, 0, 0, 0, 1}).Bucket([]byte("derived")).Bucket([]byte(projection.StoredName))
		v := append([]byte(nil), b.Get([]byte{0, 0, 0, 0, 0, 0, 0, 0})...)
		v[100] ^= 0x10
		return b.Put([]byte{0, 0, 0, 0, 0, 0, 0, 0}, v)
	}))
	require.NoError(t, db.Close())
	st, err := memstore.Open(storedPath)
	require.NoError(t, err)
	defer st.Close()
	for _, opts := range [][]session.Option{nil, {session.WithInPlace()}} {
		_, err = session.Open(ctx, st, "", opts...)
		require.ErrorIs(t, err, memstore.ErrDamaged)
		require.ErrorContains(t, err, "snapshot "+string(id)+" is damaged: stored projection")
	}
}

func openRecords(t *testing.T, path string) *session.Session {
	t.Helper()
	st, err := memstore.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	s, err := session.Open(context.Background(), st, "", session.WithRecords())
	require.NoError(t, err)
	return s
}
