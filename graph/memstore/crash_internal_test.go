package memstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// The crash test re-executes this test binary as a child process that ingests
// into a store; these variables select and configure that child.
const (
	envCrashStore = "REACHGRAPH_MEMSTORE_CRASH_STORE" // store path; set only in the child
	envCrashMode  = "REACHGRAPH_MEMSTORE_CRASH_MODE"  // hang | commit
	crashMarker   = "COMMIT-IN-PROGRESS"
	crashRecords  = 300000
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envCrashStore); path != "" {
		os.Exit(crashChild(path, os.Getenv(envCrashMode)))
	}
	os.Exit(m.Run())
}

// crashChild ingests a large snapshot into the store at path. Inside the last
// write transaction, after every record is in it, it prints crashMarker; in
// mode "hang" it then sleeps until killed, in mode "commit" it goes on
// committing (the parent kills it while bbolt writes pages). In mode "batch"
// it prints the marker and sleeps after the first of the commit's
// transactions of records (1 MiB each) has committed.
func crashChild(path, mode string) int {
	hook := func() {
		fmt.Println(crashMarker)
		if mode == "hang" {
			time.Sleep(time.Hour)
		}
	}
	opts := []Option{withBeforeCommit(hook), WithLockTimeout(10 * time.Second)}
	if mode == "batch" { // stop after the first of many commit transactions instead
		opts = []Option{withAfterBatch(func() { fmt.Println(crashMarker); time.Sleep(time.Hour) }),
			withCommitBatch(1 << 20), WithLockTimeout(10 * time.Second)}
	}
	s, err := Open(path, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	d := storetest.Synthetic(crashRecords, 99)
	if _, err := s.Ingest(context.Background(), d.Info, d.WriteTo); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("COMMITTED")
	return 0
}

func TestCrashDuringCommit(t *testing.T) {
	tests := []struct {
		name string
		mode string
		// mayLand: the kill can come after bbolt finished the commit, so the new
		// snapshot may be there — but only whole.
		mayLand bool
	}{
		{name: "killed inside the write transaction", mode: "hang", mayLand: false},
		{name: "killed while bbolt commits", mode: "commit", mayLand: true},
		{name: "killed between the commit's transactions", mode: "batch", mayLand: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "reachgraph.db")
			prev := storetest.Synthetic(20000, 98)
			s, err := Open(path)
			require.NoError(t, err)
			prevMeta := storetest.Ingest(t, s, prev)
			require.NoError(t, s.Close())

			killMidCommit(t, path, tc.mode)

			checkBoltFile(t, path)
			s, err = Open(path, WithLockTimeout(5*time.Second))
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			list, err := s.Snapshots(context.Background())
			require.NoError(t, err)
			require.NotEmpty(t, list)
			require.Equal(t, prevMeta, list[0], "the previous snapshot is listed unchanged")
			storetest.RequireRecords(t, storetest.Normalize(prev), storetest.ReadSnapshot(t, s, prevMeta.ID))

			next := storetest.Synthetic(crashRecords, 99)
			t.Logf("after the kill the store lists %d snapshot(s)", len(list))
			if len(list) == 1 {
				_, err := s.Snapshot(context.Background(), storetest.SnapshotID(next))
				require.ErrorIs(t, err, graph.ErrSnapshotNotFound, "no partial snapshot is visible")
				left := pendingBytes(t, s)
				if tc.mode == "batch" {
					require.Positive(t, left, "the first transaction's records wait in the pending bucket")
				}
				v, err := s.Verify(context.Background())
				require.NoError(t, err)
				require.True(t, v.Intact(), "what a dead commit left is no damage: %+v", v)
				require.Equal(t, int64(left), v.Pending, "verify reports it")
				storetest.Ingest(t, s, next) // and the store still takes new snapshots
				require.Zero(t, pendingBytes(t, s), "the next commit cleared what the dead one left")
				v, err = s.Verify(context.Background())
				require.NoError(t, err)
				require.True(t, v.Intact(), "%+v", v)
				require.Zero(t, v.Pending)
				storetest.RequireRecords(t, storetest.Normalize(next), storetest.ReadSnapshot(t, s, storetest.SnapshotID(next)))
				return
			}
			require.True(t, tc.mayLand, "the snapshot landed although the child never committed")
			require.Len(t, list, 2)
			require.Equal(t, storetest.SnapshotID(next), list[1].ID)
			storetest.RequireRecords(t, storetest.Normalize(next), storetest.ReadSnapshot(t, s, list[1].ID))
		})
	}
}

// killMidCommit runs the crash child on path, waits for its marker and
// SIGKILLs it. In mode "commit" it first waits until bbolt has started to
// write the file (its size or modification time changes), so that the kill
// lands while pages are being written.
func killMidCommit(t *testing.T, path, mode string) {
	t.Helper()
	before, err := os.Stat(path)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashStore+"="+path, envCrashMode+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := bufio.NewScanner(out)
	marked := false
	for lines.Scan() {
		if lines.Text() == crashMarker {
			marked = true
			break
		}
	}
	require.True(t, marked, "the child exited before committing: %v", lines.Err())
	if mode == "commit" {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			now, err := os.Stat(path)
			require.NoError(t, err)
			if now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
				t.Logf("bbolt started writing the file; killing the child")
				break
			}
			time.Sleep(20 * time.Microsecond)
		}
	}
	if err := cmd.Process.Kill(); !errors.Is(err, os.ErrProcessDone) { // SIGKILL: no deferred cleanup runs
		require.NoError(t, err)
	}
	err = cmd.Wait()
	if mode == "hang" || mode == "batch" {
		require.Error(t, err, "the child must have been killed, not have exited")
	} else if err == nil {
		t.Logf("the child finished its commit before the kill landed")
	}
}

// pendingBytes is the size of the record chunks in the pending bucket.
func pendingBytes(t *testing.T, s *Store) int {
	t.Helper()
	var n int64
	_, err := s.view(func(tx *bolt.Tx) error { n = pendingSize(tx); return nil })
	require.NoError(t, err)
	return int(n)
}

// checkBoltFile runs bbolt's own consistency check over the whole file.
func checkBoltFile(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}))
}

// The conformance suite again with tiny chunks, so every chunk boundary case
// (many chunks, records split across none, one record per chunk) is hit.
func TestConformanceTinyChunks(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store {
		s, err := OpenTemp(t.TempDir(), withChunkSize(64))
		require.NoError(t, err)
		return s
	})
}

// The conformance suite again with every chunk spilled to the temporary
// file from the first, so ingest, repair and derived data read the spool
// back from disk, and commits of many transactions (4 KiB of chunks each).
func TestConformanceSpilled(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store {
		s, err := OpenTemp(t.TempDir(), withChunkSize(64), withSpillAt(0), withCommitBatch(4<<10))
		require.NoError(t, err)
		return s
	})
}

func TestCorruptChunk(t *testing.T) {
	tests := []struct {
		name   string
		damage func(b *bolt.Bucket) error
	}{
		{name: "truncated record", damage: func(b *bolt.Bucket) error {
			v := b.Get(chunkKey(nil, 0))
			return b.Put(chunkKey(nil, 0), append([]byte(nil), v[:len(v)-3]...))
		}},
		{name: "missing chunk", damage: func(b *bolt.Bucket) error { return b.Delete(chunkKey(nil, 0)) }},
		{name: "extra record", damage: func(b *bolt.Bucket) error {
			v := b.Get(chunkKey(nil, 0))
			return b.Put(chunkKey(nil, 0), append(append([]byte(nil), v...), v...))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "reachgraph.db")
			s, err := Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			meta := storetest.Ingest(t, s, storetest.Synthetic(2000, 17))

			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *bolt.Tx) error {
				return tc.damage(tx.Bucket(bucketSnapshots).Bucket(seqKey(1)).Bucket(kindBuckets[kindGrant]))
			}))
			require.NoError(t, db.Close())

			r, err := s.Snapshot(context.Background(), meta.ID)
			require.NoError(t, err)
			_, err = graph.ReadAll(context.Background(), r)
			require.ErrorIs(t, err, graph.ErrCorrupt)
			require.Contains(t, err.Error(), "grants")
		})
	}
}
