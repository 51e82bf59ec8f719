package memstore

import (
	"slices"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
)

// DefaultKeepOpen is the hold a long-running process (reachgraph serve) gives
// KeepOpen: the longest another process's ingest waits for an idle server.
const DefaultKeepOpen = time.Second

// keepState is the read handle policy set by KeepOpen, and the snapshot list
// read through the current handle. It is guarded by Store.mu.
type keepState struct {
	on    bool
	hold  time.Duration // <= 0: until Close or a commit of this Store
	since time.Time     // when the current handle was opened
	timer *time.Timer   // closes an idle handle once hold has passed

	list   []graph.SnapshotMeta // the snapshot list as read through listDB
	listDB *bolt.DB
}

// KeepOpen is for long-running processes: the read-only handle, once opened,
// stays open between reads for up to hold (hold <= 0: until Close), instead
// of being closed as soon as no read runs; it is mapped without pre-faulting
// the file; and Snapshots answers from memory while the same handle is open.
//
// That cache is exact: while this Store holds the handle, it holds the file's
// shared lock, so no other process can commit, and a commit of this Store
// closes the handle first. Another process's ingest therefore waits (bounded
// by its lock timeout) until this Store's handle is closed: at most hold
// after the handle was opened, once no read is running. With hold <= 0 it
// waits until Close, so use hold > 0 whenever other processes may ingest.
func (s *Store) KeepOpen(hold time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep.on, s.keep.hold = true, hold
}

// keepLocked reports whether an idle read handle stays open now.
func (s *Store) keepLocked() bool {
	return s.keep.on && (s.keep.hold <= 0 || time.Since(s.keep.since) < s.keep.hold)
}

// mmapFlags pre-faults the whole file when the handle is opened to iterate
// records (it makes reading every record three times faster than faulting
// page by page), but not for lookups and the stored projection, which read
// a fraction of the file, nor for a kept handle, which would pay it, and
// hold the memory, at every reopen.
func (s *Store) mmapFlags(iterate bool) int {
	if s.keep.on || !iterate {
		return 0
	}
	return syscall.MAP_POPULATE
}

// opened starts the hold of a new handle.
func (k *keepState) opened(s *Store, db *bolt.DB) {
	if !k.on {
		return
	}
	k.since = time.Now()
	if k.hold > 0 {
		k.timer = time.AfterFunc(k.hold, func() { s.expire(db) })
	}
}

// forget drops what belongs to the handle being closed.
func (k *keepState) forget() {
	if k.timer != nil {
		k.timer.Stop()
		k.timer = nil
	}
	k.list, k.listDB = nil, nil
}

// expire closes the kept handle db when its hold is over and no read runs;
// otherwise the last release closes it.
func (s *Store) expire(db *bolt.DB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == db && s.busy == 0 && s.pinned == 0 {
		_ = s.closeReadLocked()
	}
}

// cachedList returns the snapshot list read through db, when db is still the
// kept handle.
func (s *Store) cachedList(db *bolt.DB) ([]graph.SnapshotMeta, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.keep.on || s.keep.listDB != db || s.db != db {
		return nil, false
	}
	return cloneMetas(s.keep.list), true
}

// cacheList remembers the snapshot list read through db.
func (s *Store) cacheList(db *bolt.DB, l []graph.SnapshotMeta) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keep.on && s.db == db {
		s.keep.list, s.keep.listDB = cloneMetas(l), db
	}
}

func cloneMetas(l []graph.SnapshotMeta) []graph.SnapshotMeta {
	out := slices.Clone(l)
	for i := range out {
		out[i].Files = slices.Clone(out[i].Files)
	}
	if out == nil {
		out = []graph.SnapshotMeta{}
	}
	return out
}
