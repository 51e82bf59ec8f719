package memstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	"github.com/reachgraph/reachgraph/graph"
)

// ErrDamaged is wrapped by every error about a store file whose bytes are not
// what reachgraph wrote: truncated, zeroed or flipped pages, a chunk or
// metadata checksum mismatch, a bbolt consistency failure. The message names
// the file ("store file X is damaged") or the snapshot ("snapshot S is
// damaged"). A damaged file never gives an answer: re-ingest the sources into
// a new file, or restore it from a backup.
var ErrDamaged = errors.New("damaged")

// bbolt's on-disk meta page (go.etcd.io/bbolt internal/common): a 16-byte
// page header, then magic, version, page size, flags (4 bytes each), the
// root bucket (root page id, sequence), the freelist page id, the high-water
// page id and the transaction id (8 bytes each), then an FNV-64a checksum of
// the 56 bytes from magic to txid.
const (
	boltPageHeader = 16
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltMetaLen    = 56
	minPageSize    = 512
	maxPageSize    = 1 << 20
)

// errNoMagic: the page does not start like a bbolt meta page.
var errNoMagic = errors.New("no bbolt magic number")

// boltMeta is what checkFile reads of one meta page.
type boltMeta struct {
	pageSize uint32
	pgid     uint64 // high-water mark: pages 0 … pgid-1 exist
}

// checkFile checks, before bbolt maps the file, that both meta pages are
// intact and that the file holds every page they count: bbolt falls back to
// the older meta page when one is damaged (an older state of the store: a
// silently different answer) and a page past the end of a truncated file
// is a SIGBUS when read through the map.
func checkFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	m0, err0 := readMeta(f, 0)
	pageSize := int64(os.Getpagesize())
	if err0 == nil {
		pageSize = int64(m0.pageSize)
	}
	m1, err1 := readMeta(f, pageSize)
	switch {
	case errors.Is(err0, errNoMagic) && errors.Is(err1, errNoMagic):
		return fmt.Errorf("open store %s: %w (no bbolt meta page)", path, ErrNotStore)
	case err0 != nil:
		return damagedFile(path, fmt.Errorf("meta page 0: %w", err0))
	case err1 != nil:
		return damagedFile(path, fmt.Errorf("meta page 1: %w", err1))
	}
	need := int64(max(m0.pgid, m1.pgid)) * pageSize
	if fi.Size() < need {
		return damagedFile(path, fmt.Errorf("truncated: %d bytes, its pages need %d", fi.Size(), need))
	}
	return nil
}

// readMeta reads and validates the meta page at off.
func readMeta(r io.ReaderAt, off int64) (boltMeta, error) {
	buf := make([]byte, boltPageHeader+boltMetaLen+8)
	if _, err := r.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return boltMeta{}, fmt.Errorf("the file ends before it: %w", errNoMagic)
		}
		return boltMeta{}, err
	}
	m := buf[boltPageHeader:]
	le := binary.LittleEndian // bbolt writes native order; reachgraph builds for little-endian hosts
	if le.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, errNoMagic
	}
	if le.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, fmt.Errorf("bbolt version %d", le.Uint32(m[4:]))
	}
	h := fnv.New64a()
	h.Write(m[:boltMetaLen])
	if h.Sum64() != le.Uint64(m[boltMetaLen:]) {
		return boltMeta{}, errors.New("checksum mismatch")
	}
	out := boltMeta{pageSize: le.Uint32(m[8:]), pgid: le.Uint64(m[40:])}
	if out.pageSize < minPageSize || out.pageSize > maxPageSize || out.pageSize&(out.pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("page size %d", out.pageSize)
	}
	return out, nil
}

func damagedFile(path string, err error) error {
	return fmt.Errorf("store file %s is %w: %w (re-ingest the sources into a new store file, or restore it from a backup; `reachgraph verify-store` lists what is intact)", path, ErrDamaged, err)
}

// guard runs fn, turning a panic into a *panicError: bbolt asserts on
// inconsistent pages by panicking, and a fault on the mapped file (a page
// that vanished: SIGBUS) is a panic once SetPanicOnFault is on. Both are
// per goroutine, so guard must run in the goroutine that reads the map.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r}
		}
	}()
	return fn()
}

// panicError is a panic recovered while reading the file.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("unreadable page (%v)", e.value) }

// storeErr names the file as damaged when err is a recovered panic or
// wraps ErrDamaged or graph.ErrCorrupt without naming a snapshot.
func (s *Store) storeErr(err error) error {
	var pe *panicError
	if errors.As(err, &pe) || errors.Is(err, graph.ErrCorrupt) && !errors.Is(err, ErrDamaged) {
		return damagedFile(s.path, err)
	}
	return err
}
