package memstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store {
		s, err := memstore.OpenTemp(t.TempDir())
		require.NoError(t, err)
		return s
	})
}

func openAt(t *testing.T, path string, opts ...memstore.Option) *memstore.Store {
	t.Helper()
	s, err := memstore.Open(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestNewPath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	s := openAt(t, path)

	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.NotNil(t, list)
	require.Empty(t, list)
	_, err = s.Snapshot(ctx, "")
	require.ErrorIs(t, err, graph.ErrSnapshotNotFound)
	require.NoFileExists(t, path, "reading must not create the file")

	d := storetest.EveryFieldSet()
	_, err = s.Ingest(ctx, d.Info, func(w graph.Writer) error {
		require.NoError(t, d.WriteTo(w))
		return errors.New("validation failed")
	})
	require.Error(t, err)
	require.NoFileExists(t, path, "a failed ingest must not create the file")

	meta := storetest.Ingest(t, s, d)
	require.FileExists(t, path)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the store file is private")
	require.Equal(t, storetest.SnapshotID(d), meta.ID)
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	first, second := storetest.EveryFieldSet(), storetest.Synthetic(50000, 11)

	s := openAt(t, path)
	metaA, metaB := storetest.Ingest(t, s, first), storetest.Ingest(t, s, second)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice is a no-op")

	s = openAt(t, path)
	list, err := s.Snapshots(context.Background())
	require.NoError(t, err)
	require.Equal(t, []graph.SnapshotMeta{metaA, metaB}, list)
	storetest.RequireRecords(t, storetest.Normalize(first), storetest.ReadSnapshot(t, s, metaA.ID))
	storetest.RequireRecords(t, storetest.Normalize(second), storetest.ReadSnapshot(t, s, metaB.ID))
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	meta := storetest.Ingest(t, s, storetest.EveryFieldSet())
	r, err := s.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	dir := filepath.Dir(s.Path())
	require.DirExists(t, dir)
	require.NoError(t, s.Close())
	require.NoDirExists(t, dir, "Close removes a temporary store")

	_, err = s.Snapshots(ctx)
	require.ErrorIs(t, err, memstore.ErrClosed)
	_, err = s.Snapshot(ctx, meta.ID)
	require.ErrorIs(t, err, memstore.ErrClosed)
	_, err = s.Ingest(ctx, graph.SnapshotMeta{Source: "late"}, func(graph.Writer) error { return nil })
	require.ErrorIs(t, err, memstore.ErrClosed)
	for _, err := range r.Identities(ctx) {
		require.ErrorIs(t, err, memstore.ErrClosed)
	}
}

func TestLargeRecord(t *testing.T) {
	s, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	d := storetest.Synthetic(20000, 12)
	big := strings.Repeat("native permission string ", 40000) // ~1 MiB, several chunk sizes
	d.GrantList[len(d.GrantList)/2].Native = big
	d.GrantList[0].Native = big
	meta := storetest.Ingest(t, s, d)
	storetest.RequireRecords(t, storetest.Normalize(d), storetest.ReadSnapshot(t, s, meta.ID))
}

// lockExclusively holds the store file's exclusive lock, as an ingest of
// another process does while it commits, until the returned func is called.
func lockExclusively(t *testing.T, path string) (unlock func()) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	require.NoError(t, err)
	var once sync.Once
	unlock = func() { once.Do(func() { require.NoError(t, db.Close()) }) }
	t.Cleanup(unlock)
	return unlock
}

func TestLockTimeout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	s := openAt(t, path, memstore.WithLockTimeout(200*time.Millisecond))
	meta := storetest.Ingest(t, s, storetest.EveryFieldUnset())

	unlock := lockExclusively(t, path)
	_, err := s.Snapshots(ctx)
	require.ErrorIs(t, err, memstore.ErrLocked)
	require.Contains(t, err.Error(), "store "+path+" is locked by another reachgraph process")

	_, err = s.Ingest(ctx, storetest.EveryFieldSet().Info, storetest.EveryFieldSet().WriteTo)
	require.ErrorIs(t, err, memstore.ErrLocked)

	unlock()
	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, []graph.SnapshotMeta{meta}, list, "the failed ingest stored nothing")
}

// Two Stores on one file lock it like two processes do (flock locks belong to
// the open file, not the process).
func TestOtherProcessReadsWhileIngestRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	ingester, reader := openAt(t, path), openAt(t, path, memstore.WithLockTimeout(time.Second))
	a := storetest.Synthetic(20000, 13)
	metaA := storetest.Ingest(t, ingester, a)

	b := storetest.Synthetic(20000, 14)
	parsing, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := ingester.Ingest(ctx, b.Info, func(w graph.Writer) error {
			close(parsing)
			<-release
			return b.WriteTo(w)
		})
		done <- err
	}()
	<-parsing
	storetest.RequireRecords(t, storetest.Normalize(a), storetest.ReadSnapshot(t, reader, ""))
	close(release)
	require.NoError(t, <-done)

	list, err := reader.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, metaA, list[0])
	storetest.RequireRecords(t, storetest.Normalize(b), storetest.ReadSnapshot(t, reader, ""))
}

// A process iterating a snapshot holds a shared lock; another process's commit
// waits for it, at most its lock timeout, and succeeds once reading is done.
func TestCommitWaitsForOtherProcessReader(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reachgraph.db")
	ingester := openAt(t, path, memstore.WithLockTimeout(200*time.Millisecond))
	reader := openAt(t, path)
	a := storetest.Synthetic(20000, 15)
	storetest.Ingest(t, ingester, a)

	r, err := reader.Snapshot(ctx, "")
	require.NoError(t, err)
	b := storetest.EveryFieldSet()
	n := 0
	for _, err := range r.Memberships(ctx) {
		require.NoError(t, err)
		if n++; n == 1 {
			_, err := ingester.Ingest(ctx, b.Info, b.WriteTo)
			require.ErrorIs(t, err, memstore.ErrLocked)
		}
	}
	require.Equal(t, len(a.MembershipList), n)
	storetest.Ingest(t, ingester, b) // the reader is done: the lock is free again
}

func TestNotAStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	require.NoError(t, os.WriteFile(garbage, []byte(strings.Repeat("not a bbolt file\n", 1000)), 0o600))
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("someone-else"))
		return err
	}))
	require.NoError(t, db.Close())

	tests := []struct {
		name string
		path string
	}{
		{name: "garbage", path: garbage},
		{name: "foreign bbolt file", path: foreign},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := os.ReadFile(tc.path)
			require.NoError(t, err)
			s := openAt(t, tc.path, memstore.WithLockTimeout(time.Second))
			_, err = s.Snapshots(ctx)
			require.ErrorIs(t, err, memstore.ErrNotStore)
			require.Contains(t, err.Error(), tc.path)
			d := storetest.EveryFieldSet()
			_, err = s.Ingest(ctx, d.Info, d.WriteTo)
			require.ErrorIs(t, err, memstore.ErrNotStore)
			after, err := os.ReadFile(tc.path)
			require.NoError(t, err)
			require.Equal(t, before, after, "the file is left alone")
		})
	}
}

func TestDirectoryPath(t *testing.T) {
	s := openAt(t, t.TempDir())
	_, err := s.Snapshots(context.Background())
	require.ErrorContains(t, err, "is a directory")
}

// Many goroutines read while snapshots are committed; run with -race.
func TestConcurrentReadersAndIngests(t *testing.T) {
	ctx := context.Background()
	s, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	base := storetest.Synthetic(10000, 16)
	meta := storetest.Ingest(t, s, base)
	want := storetest.Normalize(base)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 4 {
		wg.Go(func() {
			for range 3 {
				r, err := s.Snapshot(ctx, meta.ID)
				if err != nil {
					errs <- err
					return
				}
				got, err := graph.ReadAll(ctx, r)
				if err != nil {
					errs <- err
					return
				}
				if len(got.MembershipList) != len(want.MembershipList) || got.MembershipList[i] != want.MembershipList[i] {
					errs <- errors.New("reader saw other data")
					return
				}
			}
		})
	}
	for i := range 3 {
		wg.Go(func() {
			d := storetest.Synthetic(5000, uint64(100+i))
			if _, err := s.Ingest(ctx, d.Info, d.WriteTo); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	list, err := s.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, list, 4)
	require.Equal(t, meta, list[0])
}

// TestOldFormatRefused: a store written by an older layout version (version 2
// had no validity windows in its edge records) is refused, not misread, with
// a message that says to ingest again, and the file is left alone.
func TestOldFormatRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s := openAt(t, path)
	storetest.Ingest(t, s, storetest.EveryFieldSet())
	require.NoError(t, s.Close())
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("info")).Put([]byte("format"), []byte("reachgraph-memstore/2"))
	}))
	require.NoError(t, db.Close())
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	old := openAt(t, path, memstore.WithLockTimeout(time.Second))
	_, err = old.Snapshots(ctx)
	require.ErrorIs(t, err, memstore.ErrOldFormat)
	require.ErrorIs(t, err, memstore.ErrNotStore)
	require.Contains(t, err.Error(), `has format "reachgraph-memstore/2", this reachgraph reads "reachgraph-memstore/7"`)
	require.Contains(t, err.Error(), "ingest the inputs again")
	d := storetest.EveryFieldSet()
	_, err = old.Ingest(ctx, d.Info, d.WriteTo)
	require.ErrorIs(t, err, memstore.ErrOldFormat)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after, "the file is left alone")
}
