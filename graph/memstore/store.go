package memstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/reachgraph/reachgraph/graph"
)

// Sentinel errors of the embedded store.
var (
	// ErrLocked is returned when another process held the store file's lock for
	// longer than the lock timeout (see WithLockTimeout). The message names the
	// file.
	ErrLocked = errors.New("locked by another reachgraph process")
	// ErrNotStore is returned when the file exists but is not a reachgraph store
	// (another bbolt file, or a layout version this build does not read).
	ErrNotStore = errors.New("not a reachgraph store")
	// ErrOldFormat is returned for a store file of another layout version; it
	// wraps ErrNotStore, and its message says to ingest again.
	ErrOldFormat = fmt.Errorf("layout version not read by this build: %w", ErrNotStore)
	// ErrClosed is returned by every method of a closed Store, and by the
	// iterators of its Readers.
	ErrClosed = errors.New("store is closed")
)

// fileMode is the mode of a new store file: it lists who can reach which
// finance system, so it is private to its owner.
const fileMode = 0o600

// Store is the embedded graph.Store: one bbolt file holding every snapshot.
// It is safe for concurrent use by several goroutines. See the package
// documentation for the file layout and the locking between processes.
type Store struct {
	path    string
	opts    options
	tempDir string // removed by Close; "" unless made by OpenTemp

	ingestMu sync.Mutex // one commit at a time in this process

	mu      sync.Mutex
	changed sync.Cond // signalled when busy drops, a commit ends or the store closes
	db      *bolt.DB  // the shared read-only handle; nil when not open
	busy    int       // read transactions running on db
	pinned  int       // iterators that want db kept open between chunks, and lent views
	lent    int       // views of db's mapped file lent out (DerivedView): db stays open
	writing bool      // a commit owns the file; readers wait
	closed  bool

	// keep is set by KeepOpen: see keep.go.
	keep keepState
}

var _ graph.Store = (*Store)(nil)

// Open returns the store in the file at path. It does not touch the file: the
// file is created by the first successful Ingest, and reading a path that does
// not exist yet shows an empty store. Errors about the file (not a store,
// locked, unreadable) are reported by the first method that reads it.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("memstore: empty store path")
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{path: path, opts: o}
	s.changed.L = &s.mu
	return s, nil
}

// OpenTemp returns a store in a new private directory under dir (the system
// temporary directory when dir is ""). Close removes the directory and the
// store file with it. Tests and benchmarks use it.
func OpenTemp(dir string, opts ...Option) (*Store, error) {
	tmp, err := os.MkdirTemp(dir, "reachgraph-memstore-*")
	if err != nil {
		return nil, fmt.Errorf("memstore: %w", err)
	}
	s, err := Open(filepath.Join(tmp, "reachgraph.db"), opts...)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	s.tempDir = tmp
	return s, nil
}

// Path returns the store file's path as given to Open.
func (s *Store) Path() string { return s.path }

// Close waits for running reads, a running commit and the release of every
// view lent by DerivedView to finish, releases the
// file and, for a store made by OpenTemp, removes it. An ingest whose callback
// is still running fails with ErrClosed when it tries to commit. Closing twice
// is a no-op.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.changed.Broadcast()
	for s.busy > 0 || s.writing || s.lent > 0 {
		s.changed.Wait()
	}
	err := s.closeReadLocked()
	s.mu.Unlock()
	if s.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(s.tempDir))
	}
	return err
}

// acquire returns the shared read-only handle, opening it when needed, and
// counts a running read; the caller must call release. It returns nil and no
// error when the store file does not exist yet (an empty store). It waits
// while this process commits.
func (s *Store) acquire() (*bolt.DB, error) { return s.acquireFor(false) }

// acquireFor is acquire; iterate says the read iterates records, the one
// read that goes through most of the file: a handle opened for it is
// pre-faulted (see mmapFlags).
func (s *Store) acquireFor(iterate bool) (*bolt.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.writing && !s.closed {
		s.changed.Wait()
	}
	if s.closed {
		return nil, ErrClosed
	}
	if s.db == nil {
		db, err := s.openRead(iterate)
		if err != nil || db == nil {
			return nil, err
		}
		s.db = db
		s.keep.opened(s, db)
	}
	s.busy++
	return s.db, nil
}

// release ends a read started by acquire and closes the handle when nothing
// needs it any more, so that an idle Store never blocks another process's
// commit.
func (s *Store) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy--
	s.changed.Broadcast()
	if s.busy == 0 && s.pinned == 0 && !s.keepLocked() {
		_ = s.closeReadLocked() // a read-only handle has nothing to flush
	}
}

// pin keeps the read handle open between the chunk reads of one iterator;
// unpin undoes it.
func (s *Store) pin() {
	s.mu.Lock()
	s.pinned++
	s.mu.Unlock()
}

func (s *Store) unpin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unpinLocked()
}

// lend keeps the read handle open, and its mapping valid, until unlend:
// for views of the mapped file given out (DerivedView).
func (s *Store) lend() {
	s.mu.Lock()
	s.pinned++
	s.lent++
	s.mu.Unlock()
}

func (s *Store) unlend() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lent--
	s.changed.Broadcast()
	s.unpinLocked()
}

func (s *Store) unpinLocked() {
	s.pinned--
	if s.busy == 0 && s.pinned == 0 && !s.keepLocked() {
		_ = s.closeReadLocked()
	}
}

func (s *Store) closeReadLocked() error {
	if s.db == nil {
		return nil
	}
	s.keep.forget()
	err := s.db.Close()
	s.db = nil
	return err
}

// view runs fn in a read transaction. exists is false, and fn is not called,
// when the store file does not exist yet.
func (s *Store) view(fn func(tx *bolt.Tx) error) (exists bool, err error) {
	db, err := s.acquire()
	if err != nil || db == nil {
		return false, err
	}
	defer s.release()
	return true, s.storeErr(guard(func() error { return db.View(fn) }))
}

// openRead opens the file read-only under a shared lock. It returns nil and
// no error when the file does not exist or is still empty.
func (s *Store) openRead(iterate bool) (*bolt.DB, error) {
	if ok, err := s.fileHasData(); !ok || err != nil {
		return nil, err
	}
	if err := checkFile(s.path); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := s.storeErr(guard(func() (err error) {
		db, err = bolt.Open(s.path, fileMode, &bolt.Options{ReadOnly: true, Timeout: s.opts.lockTimeout, MmapFlags: s.mmapFlags(iterate)})
		return err
	}))
	if err != nil {
		if ok, statErr := s.fileHasData(); statErr == nil && !ok {
			return nil, nil // another process created the file and has not initialised it yet
		}
		return nil, s.openError(err)
	}
	if err := s.storeErr(guard(func() error { return db.View(func(tx *bolt.Tx) error { return checkFormat(tx, s.path) }) })); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// openWrite opens the file read-write under the exclusive lock, creating it.
// adding is about how many bytes the coming transaction writes: the map is
// made large enough up front, because each time bbolt grows the map inside a
// write transaction it copies every value written so far.
func (s *Store) openWrite(adding int) (*bolt.DB, error) {
	size := 0
	if fi, err := os.Stat(s.path); err == nil {
		size = int(fi.Size())
	}
	if size > 0 {
		if err := checkFile(s.path); err != nil {
			return nil, err
		}
	}
	var db *bolt.DB
	err := s.storeErr(guard(func() (err error) {
		db, err = bolt.Open(s.path, fileMode, &bolt.Options{
			Timeout:         s.opts.lockTimeout,
			FreelistType:    bolt.FreelistMapType,
			InitialMmapSize: size + adding + adding/8 + 32<<20, // virtual memory only: the file grows as written
		})
		return err
	}))
	if err != nil {
		return nil, s.openError(err)
	}
	// A commit grows the file once; bbolt's default 16 MiB of slack per growth
	// only makes sense for many small transactions.
	db.AllocSize = 1 << 20
	return db, nil
}

func (s *Store) fileHasData() (bool, error) {
	fi, err := os.Stat(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("open store: %w", err)
	case fi.IsDir():
		return false, fmt.Errorf("open store %s: is a directory", s.path)
	}
	return fi.Size() > 0, nil
}

func (s *Store) openError(err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("store %s is %w (waited %s)", s.path, ErrLocked, s.opts.lockTimeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("open store %s: %w: %w", s.path, ErrNotStore, err)
	}
	return fmt.Errorf("open store: %w", err) // *fs.PathError names the file
}

// beginWrite makes this process's readers wait, lets running reads finish,
// and closes the read handle so that the exclusive lock can be taken.
func (s *Store) beginWrite() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.writing = true
	for s.busy > 0 || s.lent > 0 {
		s.changed.Wait()
	}
	return s.closeReadLocked()
}

// endWrite lets readers in again; they reopen the file read-only.
func (s *Store) endWrite() {
	s.mu.Lock()
	s.writing = false
	s.changed.Broadcast()
	s.mu.Unlock()
}
