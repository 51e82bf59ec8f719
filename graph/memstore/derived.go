package memstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"iter"
	"maps"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
)

// Derived data (WithDerived) lives in the snapshot's bucket:
//
//	derived     name → bucket: chunk number (8-byte big-endian) → CRC-32C,
//	            4 zero bytes, then up to derivedChunk bytes (more for one
//	            section: spill.Writer.Section); and "size" → total size
//	            (8-byte big-endian) + CRC-32C
//
// Each checksum covers the snapshot id, the name, the chunk number (or
// "size") and the bytes, so a chunk read from another place fails. With
// 8-byte keys and values of whole 8-byte words, every key and value of a
// bbolt leaf page starts 8-byte aligned, so a chunk's bytes can be used
// where they lie in the mapped file (DerivedView). Version 6 files have
// chunk number (4-byte big-endian) → bytes + CRC-32C; they are read too.
var (
	bucketDerived = []byte("derived")
	keySize       = []byte("size")
)

// derivedChunk is the size of one stored chunk of derived data.
const derivedChunk = 16 << 20

// derivedHead is the checksum and padding in front of a chunk's bytes.
const derivedHead = 8

// derivedKey is the key of chunk n of derived data.
func derivedKey(n uint32) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }

// withDerivedChunk overrides derivedChunk; tests use it to get many chunks
// out of small data.
func withDerivedChunk(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.derivedChunk = n
		}
	}
}

// WithDerived makes Ingest compute fn over the new snapshot's records and
// store what it writes under name, committed with the records: visible
// together with them or not at all.
// Readers of the snapshot return it from Derived (graph.DerivedReader).
// When fn fails (other than by ctx), the snapshot is stored without it, and
// readers rebuild what it would hold.
func WithDerived(name string, fn graph.DeriveFunc) Option {
	return func(o *options) { o.derived = append(o.derived, derivation{name: name, fn: fn}) }
}

// WithDerivedCheck gives the derived data name (WithDerived) a check of
// its stored form: a re-ingest of an existing snapshot whose stored data
// passes the store's checksums and check keeps it without computing it
// again. Without a check, a re-ingest computes the data and compares.
func WithDerivedCheck(name string, check graph.DeriveCheck) Option {
	return func(o *options) {
		if o.derivedCheck == nil {
			o.derivedCheck = map[string]graph.DeriveCheck{}
		}
		o.derivedCheck[name] = check
	}
}

type derivation struct {
	name string
	fn   graph.DeriveFunc
}

func derivedSum(id graph.SnapshotID, name string, key, data []byte) uint32 {
	c := crc32.Update(0, castagnoli, []byte(id))
	c = crc32.Update(c, castagnoli, []byte{0})
	c = crc32.Update(c, castagnoli, []byte(name))
	c = crc32.Update(c, castagnoli, []byte{0})
	c = crc32.Update(c, castagnoli, key)
	return crc32.Update(c, castagnoli, data)
}

// derive computes every derivation over the spooled records, or those
// only that want names when it is not nil. What a derivation writes goes in
// chunks to the spool's pool: memory up to its budget, then its temporary
// file, so a tier-L projection's 4 GB stored form is not held beside the
// projection.
func (s *Store) derive(ctx context.Context, meta graph.SnapshotMeta, sp *spool, want map[string]bool) (map[string]derivedData, error) {
	out := map[string]derivedData{}
	for _, d := range s.opts.derived {
		if want != nil && !want[d.name] {
			continue
		}
		w := &spill.Writer{Pool: sp.Pool(), Chunk: s.opts.derivedChunk}
		err := d.fn(ctx, sp.Reader(meta), w)
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if perr := sp.Pool().Err(); perr != nil {
			return nil, perr
		}
		if err != nil {
			w.Discard()
			continue
		}
		chunks, size := w.Finish()
		out[d.name] = derivedData{size: size, chunks: chunks}
	}
	return out, nil
}

// derivedData is what one derivation wrote: size bytes in chunks of the
// store's derived chunk size, held by the ingest's spool pool.
type derivedData struct {
	size   int
	chunks []spill.Ref
}

// bytes is d whole, for comparing it with what is stored.
func (d derivedData) bytes(pool *spill.Pool) ([]byte, error) {
	out := make([]byte, 0, d.size)
	var buf []byte
	for _, ref := range d.chunks {
		part, err := pool.Read(ref, buf)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
		if ref.Spilled() {
			buf = part
		}
	}
	return out, nil
}

// derivedPut is one key of a derived data bucket and its value.
type derivedPut struct {
	name     string
	key, val []byte
}

// derivedPuts yields the entries that store derived under a snapshot's
// derived bucket, names in order: each name's size, then its chunks, every
// value with its checksum. A chunk's value is fresh memory (bbolt keeps it
// until the transaction commits), read from the pool when it is yielded.
// A chunk is a whole number of 8-byte words whenever the writer's sections
// are (the projection's are), which keeps the chunks after it aligned.
func derivedPuts(id graph.SnapshotID, derived map[string]derivedData, pool *spill.Pool) iter.Seq2[derivedPut, error] {
	return func(yield func(derivedPut, error) bool) {
		for _, name := range slices.Sorted(maps.Keys(derived)) {
			d := derived[name]
			size := binary.BigEndian.AppendUint64(nil, uint64(d.size))
			if !yield(derivedPut{name: name, key: keySize, val: binary.BigEndian.AppendUint32(size, derivedSum(id, name, keySize, size))}, nil) {
				return
			}
			for n, ref := range d.chunks {
				v := make([]byte, derivedHead, derivedHead+ref.Len())
				part, err := pool.Read(ref, v[derivedHead:])
				if err != nil {
					yield(derivedPut{}, err)
					return
				}
				if ref.Spilled() { // read into v's room
					v = v[:derivedHead+len(part)]
				} else {
					v = append(v, part...)
				}
				key := derivedKey(uint32(n))
				binary.BigEndian.PutUint32(v, derivedSum(id, name, key, v[derivedHead:]))
				if !yield(derivedPut{name: name, key: key, val: v}, nil) {
					return
				}
			}
		}
	}
}

// putDerivedIn puts every entry of puts into the derived bucket all,
// creating each name's bucket.
func putDerivedIn(all *bolt.Bucket, puts iter.Seq2[derivedPut, error]) error {
	for p, err := range puts {
		if err != nil {
			return err
		}
		if err := putDerivedEntry(all, p); err != nil {
			return err
		}
	}
	return nil
}

// putDerivedEntry puts one entry into its name's bucket of all.
func putDerivedEntry(all *bolt.Bucket, p derivedPut) error {
	b := all.Bucket([]byte(p.name))
	if b == nil {
		var err error
		if b, err = all.CreateBucket([]byte(p.name)); err != nil {
			return err
		}
	}
	b.FillPercent = 1
	return b.Put(p.key, p.val)
}

// replaceDerived stores the derived data in the snapshot's bucket snap in
// place of any stored under the same names.
func replaceDerived(snap *bolt.Bucket, id graph.SnapshotID, derived map[string]derivedData, pool *spill.Pool) error {
	all, err := snap.CreateBucketIfNotExists(bucketDerived)
	if err != nil {
		return err
	}
	for name := range derived {
		if all.Bucket([]byte(name)) != nil {
			if err := all.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		} else if all.Get([]byte(name)) != nil {
			if err := all.Delete([]byte(name)); err != nil {
				return err
			}
		}
	}
	return putDerivedIn(all, derivedPuts(id, derived, pool))
}

// Derived implements graph.DerivedReader: the data stored under name at
// ingest, checked chunk by chunk, in one 8-byte aligned buffer. Damage is an
// error wrapping ErrDamaged that names the snapshot.
func (r *reader) Derived(ctx context.Context, name string) ([]byte, bool, error) {
	var out []byte
	found, err := r.withDerived(ctx, name, func(b *bolt.Bucket) (err error) {
		out, err = r.readDerived(b, name)
		return err
	})
	return out, found, err
}

// withDerived runs fn on the bucket of the derived data name, in a read
// transaction under the store's fault guard; found is false, and fn not
// run, when there is none. An error of fn, or of finding the bucket, is
// the snapshot's damage.
func (r *reader) withDerived(ctx context.Context, name string, fn func(b *bolt.Bucket) error) (found bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	db, err := r.store.acquire()
	if err != nil {
		return false, err
	}
	if db == nil {
		return false, r.derivedDamage(name, fmt.Errorf("store file %s is gone", r.store.path))
	}
	defer r.store.release()
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			b, err := r.derivedBucket(tx, name)
			if b == nil || err != nil {
				return err
			}
			found = true
			return fn(b)
		})
	})
	if err != nil {
		return false, r.derivedDamage(name, err)
	}
	return found, nil
}

func (r *reader) derivedBucket(tx *bolt.Tx, name string) (*bolt.Bucket, error) {
	all, err := r.derivedAll(tx)
	if all == nil || err != nil {
		return nil, err
	}
	b := all.Bucket([]byte(name))
	if b == nil {
		// Names of derived data are short printable words ("projection"); any
		// other key is a name whose length or bytes were damaged, which must
		// not read as "no derived data".
		err = all.ForEach(func(k, _ []byte) error {
			if !plainName(k) {
				return fmt.Errorf("damaged name %.20q in the derived data", k)
			}
			return nil
		})
	}
	return b, err
}

// derivedAll returns the snapshot's bucket of derived data, nil when it has
// none. A key of the snapshot's bucket that is neither a record kind nor the
// derived data is damage (a flipped key length can swallow the name "derived").
func (r *reader) derivedAll(tx *bolt.Tx) (*bolt.Bucket, error) {
	snaps := tx.Bucket(bucketSnapshots)
	if snaps == nil {
		return nil, errors.New("no snapshots bucket")
	}
	snap := snaps.Bucket(seqKey(r.seq))
	if snap == nil {
		return nil, errors.New("no bucket for the snapshot")
	}
	if b := snap.Bucket(bucketDerived); b != nil {
		return b, nil
	}
	return nil, snap.ForEach(func(k, _ []byte) error {
		if !slices.ContainsFunc(kindBuckets[:], func(name []byte) bool { return bytes.Equal(name, k) }) {
			return fmt.Errorf("unknown key %.20q in the snapshot's bucket", k)
		}
		return nil
	})
}

// plainName reports whether k can be a name of derived data: 1 to 64
// printable ASCII bytes.
func plainName(k []byte) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// derivedPart is one stored chunk of derived data: its key, its bytes (a
// view of the mapped file, valid while the handle is open), the checksum
// stored with them, and where they start in the whole.
type derivedPart struct {
	key, data []byte
	sum       uint32
	at        uint64
}

// derivedParts finds every chunk of b, the derived data name, in either
// form (8-byte keys, checksum first; or version 6's 4-byte keys, checksum
// last), checking the size's checksum and that the chunks add up to it, but
// not the chunks' checksums.
func (r *reader) derivedParts(b *bolt.Bucket, name string) ([]derivedPart, error) {
	v := b.Get(keySize)
	if len(v) != 8+crcLen || binary.BigEndian.Uint32(v[8:]) != derivedSum(r.meta.ID, name, keySize, v[:8]) {
		return nil, errors.New("size: checksum mismatch")
	}
	size := binary.BigEndian.Uint64(v[:8])
	if size > uint64(b.Tx().Size()) {
		return nil, fmt.Errorf("size %d larger than the file", size)
	}
	wide := size == 0 || b.Get(derivedKey(0)) != nil
	var parts []derivedPart
	at := uint64(0)
	for n := uint32(0); at < size; n++ {
		p := derivedPart{at: at}
		if wide {
			p.key = derivedKey(n)
			v := b.Get(p.key)
			if len(v) < derivedHead || at+uint64(len(v)-derivedHead) > size {
				return nil, fmt.Errorf("chunk %d missing or too long", n)
			}
			p.sum, p.data = binary.BigEndian.Uint32(v), v[derivedHead:]
		} else {
			p.key = chunkKey(nil, n)
			v := b.Get(p.key)
			if len(v) < crcLen || at+uint64(len(v)-crcLen) > size {
				return nil, fmt.Errorf("chunk %d missing or too long", n)
			}
			p.sum, p.data = binary.BigEndian.Uint32(v[len(v)-crcLen:]), v[:len(v)-crcLen]
		}
		if len(p.data) == 0 {
			return nil, fmt.Errorf("chunk %d is empty", n)
		}
		parts = append(parts, p)
		at += uint64(len(p.data))
	}
	return parts, nil
}

// readDerived copies and checks every chunk of b.
func (r *reader) readDerived(b *bolt.Bucket, name string) ([]byte, error) {
	// Find every chunk first (values are views of the mapped file, valid
	// for the transaction), then copy and check them on every core: at ten
	// million identities this is 4 GB, most of the time of a cold question.
	parts, err := r.derivedParts(b, name)
	if err != nil {
		return nil, err
	}
	size := uint64(0)
	if len(parts) > 0 {
		last := parts[len(parts)-1]
		size = last.at + uint64(len(last.data))
	}
	words := make([]uint64, (size+7)/8)
	out := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), size)
	hugePages(out)
	bad, err := firstBad(len(parts), func(i int) bool {
		p := parts[i]
		dst := out[p.at : p.at+uint64(len(p.data))]
		copy(dst, p.data)
		return p.sum != derivedSum(r.meta.ID, name, p.key, dst)
	})
	if err != nil {
		return nil, err
	}
	if bad >= 0 {
		return nil, fmt.Errorf("chunk %d: checksum mismatch", bad)
	}
	return out, nil
}

// DerivedView implements graph.DerivedViewer: the chunks of the data stored
// under name as views of the mapped store file, in order, without copying
// them. With check, every chunk's checksum is checked on every core, as
// Derived does but without the copy (and the anonymous memory it takes);
// without, only the size and the chunks' lengths are. Either way the kernel
// is asked to read every chunk ahead (graph.WillNeed): a question touches
// pages all over a large projection, and reading it whole in large requests
// beats one small read per page touched (tier L from a cold page cache,
// without the checksums: 1.4-1.6 s against 6.6-6.9 s, 3 GB read instead of
// 119,000 pages one by one; 1.08x the time when the file is cached). The views stay valid
// until release is called: until then the read handle stays open (holding
// the file's shared lock, so no other process commits) and a commit of this
// Store, or Close, waits.
func (r *reader) DerivedView(ctx context.Context, name string, check bool) (parts [][]byte, release func(), found bool, err error) {
	found, err = r.withDerived(ctx, name, func(b *bolt.Bucket) error {
		ps, err := r.derivedParts(b, name)
		for _, p := range ps {
			graph.WillNeed(p.data)
		}
		if err == nil && check {
			err = r.checkParts(ps, name)
		}
		if err != nil {
			return err
		}
		for _, p := range ps {
			parts = append(parts, p.data)
		}
		r.store.lend() // the read is still counted: the handle stays open
		return nil
	})
	if err != nil || !found {
		return nil, nil, false, err
	}
	return parts, sync.OnceFunc(r.store.unlend), true, nil
}

// checkParts checks the checksum of every part where it lies, on every
// core.
func (r *reader) checkParts(parts []derivedPart, name string) error {
	bad, err := firstBad(len(parts), func(i int) bool {
		p := parts[i]
		return p.sum != derivedSum(r.meta.ID, name, p.key, p.data)
	})
	if err == nil && bad >= 0 {
		err = fmt.Errorf("chunk %d: checksum mismatch", bad)
	}
	return err
}

// firstBad runs bad(0) … bad(n-1) on every core and returns the first i
// for which it is true, -1 when none is. bad reads the mapped file, so each
// goroutine runs it under guard: a page that cannot be read (the file
// truncated by another program, a failing disk) is an error, not a crash.
func firstBad(n int, bad func(i int) bool) (int, error) {
	found := make([]bool, n)
	workers := min(runtime.GOMAXPROCS(0), n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			errs[w] = guard(func() error {
				for i := w; i < n; i += workers {
					found[i] = bad(i)
				}
				return nil
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return -1, err
	}
	return slices.Index(found, true), nil
}

func (r *reader) derivedDamage(name string, err error) error {
	return &damageError{
		msg:  fmt.Sprintf("snapshot %s is damaged: stored %s: %v (in store file %s; re-ingest the sources or restore the file)", r.meta.ID, name, err, r.store.path),
		errs: []error{ErrDamaged, graph.ErrCorrupt, err},
	}
}
