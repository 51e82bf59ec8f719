package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"path/filepath"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
)

// errWriterDone is returned by a Writer used after its Ingest callback returned.
var errWriterDone = errors.New("memstore: Writer used after the Ingest callback returned")

// Ingest implements graph.Ingester. fn's records are hashed into the content
// id (graph.IDHasher, in write order) and encoded into chunks in memory while
// fn runs; the file is not touched, so readers in this and other processes
// keep working. Only after fn returns nil is the file opened read-write, and
// the snapshot written in one bbolt transaction.
//
// It returns fn's error unchanged when fn fails, ctx's error when ctx ends
// before the commit, ErrLocked when another process holds the file longer than
// the lock timeout, and ErrClosed after Close; in all those cases nothing is
// stored. When a snapshot with the same id exists already, its metadata is
// returned and no record is added. Its records are compared with the ones
// just read: when any stored chunk fails its checksum or holds other bytes
// (damage), they are replaced, in one transaction, so re-ingesting the
// sources repairs a damaged snapshot under the same id. Its derived data
// (WithDerived) is stored
// where it is missing, damaged or not what the records give now (a snapshot
// written by an earlier build, or without it), in one transaction, and left
// untouched otherwise.
//
// meta's ID and Counts are replaced; CollectedAt and IngestedAt are stored in
// UTC, IngestedAt defaults to the current time; an empty Files list is stored
// as nil.
func (s *Store) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	if s.isClosed() {
		return graph.SnapshotMeta{}, ErrClosed
	}
	sp := newSpool(meta, s.opts.chunkSize, s.opts.spillAt, filepath.Dir(s.path))
	defer sp.close()
	meta, err := sp.Fill(ctx, meta, fn)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}

	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	// Most re-ingests of unchanged data end here, without the exclusive lock.
	if existing, found, err := s.findExact(meta.ID); err != nil || found {
		if err == nil {
			err = s.repairRecords(ctx, existing, sp)
		}
		if err == nil {
			err = s.refreshDerived(ctx, existing, sp)
		}
		return existing, err
	}
	derived, err := s.derive(ctx, meta, sp, nil)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	return s.commit(meta, sp, derived)
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// findExact returns the metadata of the snapshot with exactly id.
func (s *Store) findExact(id graph.SnapshotID) (meta graph.SnapshotMeta, found bool, err error) {
	_, err = s.view(func(tx *bolt.Tx) error {
		var err error
		meta, found, err = lookupExact(tx, id)
		return err
	})
	return meta, found, err
}

// commit writes the spooled snapshot. Its record chunks, then its derived
// data, go in batches of about commitBatch bytes, one write transaction each
// (bbolt keeps every page a transaction writes in memory until it commits:
// one transaction for a tier-L snapshot would hold gigabytes), into a bucket
// of the pending bucket, under the sequence number the snapshot will have.
// The last transaction moves the bucket among the snapshots and adds the
// metadata and the id index entry, so readers see the snapshot
// whole or not at all. The file stays open read-write, and so locked
// against other writers, from the first transaction to the last; what a
// process that died in between left in the pending bucket is removed by the
// next commit.
func (s *Store) commit(meta graph.SnapshotMeta, sp *spool, derived map[string]derivedData) (out graph.SnapshotMeta, err error) {
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return graph.SnapshotMeta{}, fmt.Errorf("ingest: encode metadata: %w", err)
	}
	adding := sp.Bytes()
	for _, d := range derived {
		adding += d.size
	}
	err = s.updates(adding, func(update func(func(tx *bolt.Tx) error) error) error {
		var key []byte
		err := update(func(tx *bolt.Tx) error {
			existing, found, err := lookupExact(tx, meta.ID)
			if err != nil || found {
				out = existing // another process committed the same content meanwhile
				return err
			}
			pending, err := clearPending(tx)
			if err != nil {
				return err
			}
			k := seqKey(tx.Bucket(bucketMeta).Sequence() + 1)
			snap, err := pending.CreateBucket(k)
			if err != nil {
				return err
			}
			for k := range numKinds {
				if _, err := snap.CreateBucket(kindBuckets[k]); err != nil {
					return err
				}
			}
			key = k
			return nil
		})
		if err != nil || key == nil {
			return err
		}
		err = s.putRecordsBatched(update, key, meta.ID, sp)
		if err == nil && len(derived) > 0 {
			err = s.putDerivedBatched(update, key, meta.ID, derivedPuts(meta.ID, derived, sp.Pool()))
		}
		if err != nil {
			// Leave nothing behind when the file still takes writes; else
			// the next commit clears it.
			_ = update(func(tx *bolt.Tx) error { _, err := clearPending(tx); return err })
			return err
		}
		return update(func(tx *bolt.Tx) error {
			pending := tx.Bucket(bucketPending)
			var snap *bolt.Bucket
			if pending != nil {
				snap = pending.Bucket(key)
			}
			if snap == nil {
				return fmt.Errorf("snapshot %s: its pending records are gone: %w", meta.ID, graph.ErrCorrupt)
			}
			metas := tx.Bucket(bucketMeta)
			seq, err := metas.NextSequence()
			if err != nil {
				return err
			}
			if !bytes.Equal(seqKey(seq), key) {
				return fmt.Errorf("snapshot %s: the store took another snapshot during the commit: %w", meta.ID, graph.ErrCorrupt)
			}
			// The records and the derived data came in earlier
			// transactions: the move takes them along.
			if err := pending.MoveBucket(key, tx.Bucket(bucketSnapshots)); err != nil {
				return err
			}
			if err := metas.Put(key, sealMeta(key, metaJSON)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIDs).Put([]byte(meta.ID), key); err != nil {
				return err
			}
			if s.opts.beforeCommit != nil {
				s.opts.beforeCommit()
			}
			out = meta
			return nil
		})
	})
	if err != nil {
		return graph.SnapshotMeta{}, fmt.Errorf("ingest %s into %s: %w", meta.ID, s.path, err)
	}
	return out, nil
}

// clearPending empties the pending bucket (creating it when missing) and
// returns it: whatever is there is a commit that never finished.
func clearPending(tx *bolt.Tx) (*bolt.Bucket, error) {
	if tx.Bucket(bucketPending) != nil {
		if err := tx.DeleteBucket(bucketPending); err != nil {
			return nil, err
		}
	}
	return tx.CreateBucket(bucketPending)
}

// pendingSnap is the pending bucket of the snapshot being committed under key.
func pendingSnap(tx *bolt.Tx, key []byte, id graph.SnapshotID) (*bolt.Bucket, error) {
	var snap *bolt.Bucket
	if pending := tx.Bucket(bucketPending); pending != nil {
		snap = pending.Bucket(key)
	}
	if snap == nil {
		return nil, fmt.Errorf("snapshot %s: its pending records are gone: %w", id, graph.ErrCorrupt)
	}
	return snap, nil
}

// inBatches runs fill in write transactions until it reports done, each on
// the pending snapshot bucket key; fill puts about commitBatch bytes.
func (s *Store) inBatches(update func(func(tx *bolt.Tx) error) error, key []byte, id graph.SnapshotID, fill func(snap *bolt.Bucket) (done bool, err error)) error {
	for done := false; !done; {
		err := update(func(tx *bolt.Tx) error {
			snap, err := pendingSnap(tx, key, id)
			if err != nil {
				return err
			}
			done, err = fill(snap)
			return err
		})
		if err != nil {
			return err
		}
		if !done && s.opts.afterBatch != nil {
			s.opts.afterBatch()
		}
	}
	return nil
}

// putDerivedBatched puts the derived data entries into the derived bucket
// of the pending snapshot bucket key, like the records.
func (s *Store) putDerivedBatched(update func(func(tx *bolt.Tx) error) error, key []byte, id graph.SnapshotID, puts iter.Seq2[derivedPut, error]) error {
	next, stop := iter.Pull2(puts)
	defer stop()
	return s.inBatches(update, key, id, func(snap *bolt.Bucket) (bool, error) {
		all, err := snap.CreateBucketIfNotExists(bucketDerived)
		if err != nil {
			return false, err
		}
		for size := 0; size < s.opts.commitBatch; {
			p, err, ok := next()
			if !ok || err != nil {
				return !ok, err
			}
			if err := putDerivedEntry(all, p); err != nil {
				return false, err
			}
			size += len(p.val)
		}
		return false, nil
	})
}

// putRecordsBatched puts sp's record chunks into the kind buckets of the
// pending snapshot bucket key, about commitBatch bytes per write
// transaction.
func (s *Store) putRecordsBatched(update func(func(tx *bolt.Tx) error) error, key []byte, id graph.SnapshotID, sp *spool) error {
	next, stop := iter.Pull2(sp.all())
	defer stop()
	var ck []byte
	return s.inBatches(update, key, id, func(snap *bolt.Bucket) (bool, error) {
		var b *bolt.Bucket
		bk := kind(numKinds)
		for size := 0; size < s.opts.commitBatch; {
			c, err, ok := next()
			if !ok || err != nil {
				return !ok, err
			}
			if c.k != bk {
				if b = snap.Bucket(kindBuckets[c.k]); b == nil {
					return false, fmt.Errorf("snapshot %s: no %s bucket: %w", id, c.k, graph.ErrCorrupt)
				}
				b.FillPercent = 1 // keys only ever grow: pack pages full
				bk = c.k
			}
			ck = chunkKey(ck, c.n)
			if err := b.Put(ck, sealChunk(id, c.k, c.n, c.data)); err != nil {
				return false, err
			}
			size += len(c.data)
		}
		return false, nil
	})
}

// refreshDerived stores the derived data of the existing snapshot meta
// (re-ingested as sp) that is missing from the store, does not pass its
// checks, or differs from what the records give now; see Ingest.
func (s *Store) refreshDerived(ctx context.Context, meta graph.SnapshotMeta, sp *spool) (err error) {
	if len(s.opts.derived) == 0 {
		return nil
	}
	rd, err := s.Snapshot(ctx, meta.ID)
	if err != nil {
		return err
	}
	r := rd.(*reader)
	// What is stored, intact and in the current form (WithDerivedCheck)
	// stays without being computed; the rest is computed and compared.
	stored, want, why := map[string][]byte{}, map[string]bool{}, map[string]string{}
	for _, d := range s.opts.derived {
		old, found, err := r.Derived(ctx, d.name)
		switch {
		case err != nil:
			why[d.name] = "damaged"
		case !found:
			why[d.name] = "missing"
		default:
			if check := s.opts.derivedCheck[d.name]; check != nil && check(old) {
				continue
			}
			stored[d.name], why[d.name] = old, "of another form"
		}
		want[d.name] = true
	}
	if len(want) == 0 {
		return nil
	}
	fresh, err := s.derive(ctx, meta, sp, want)
	if err != nil {
		return err
	}
	stale := map[string]derivedData{}
	adding := 0
	for name, d := range fresh {
		if old, ok := stored[name]; ok {
			data, err := d.bytes(sp.Pool())
			if err != nil {
				return err
			}
			if bytes.Equal(old, data) {
				continue
			}
		}
		stale[name], adding = d, adding+d.size
	}
	if len(stale) == 0 {
		return nil
	}
	err = s.update(adding, func(tx *bolt.Tx) error {
		_, seq, err := lookup(tx, meta.ID)
		if err != nil {
			return err
		}
		snap := tx.Bucket(bucketSnapshots).Bucket(seqKey(seq))
		if snap == nil {
			return fmt.Errorf("snapshot %s: no record bucket: %w", meta.ID, graph.ErrCorrupt)
		}
		return replaceDerived(snap, meta.ID, stale, sp.Pool())
	})
	if err == nil {
		for _, name := range slices.Sorted(maps.Keys(stale)) {
			graph.Notice(ctx, s.opts.notify, fmt.Sprintf("snapshot %s: stored %s was %s; stored now", meta.ID, name, why[name]))
		}
	}
	if err != nil {
		return fmt.Errorf("store the derived data of snapshot %s in %s: %w", meta.ID, s.path, err)
	}
	return nil
}

// update runs fn in one write transaction on the file opened read-write
// for adding about adding bytes, after checking its layout, with this
// Store's writers excluded; damage found on the way is reported as such.
func (s *Store) update(adding int, fn func(tx *bolt.Tx) error) error {
	return s.updates(adding, func(update func(func(tx *bolt.Tx) error) error) error { return update(fn) })
}

// updates is update for several write transactions in a row: fn runs each
// through update, on one read-write opening of the file (so no other
// process writes in between).
func (s *Store) updates(adding int, fn func(update func(func(tx *bolt.Tx) error) error) error) (err error) {
	if err := s.beginWrite(); err != nil {
		return err
	}
	defer s.endWrite()
	db, err := s.openWrite(adding)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close store %s: %w", s.path, cerr)
		}
	}()
	return fn(func(one func(tx *bolt.Tx) error) error {
		return s.storeErr(guard(func() error {
			return db.Update(func(tx *bolt.Tx) error {
				if err := ensureLayout(tx, s.path); err != nil {
					return err
				}
				return one(tx)
			})
		}))
	})
}

// putRecords adds the record buckets of sp to the snapshot's bucket snap.
func putRecords(snap *bolt.Bucket, id graph.SnapshotID, sp *spool) error {
	var ck []byte
	for k := range numKinds {
		b, err := snap.CreateBucket(kindBuckets[k])
		if err != nil {
			return err
		}
		b.FillPercent = 1 // keys only ever grow: pack pages full
		i := uint32(0)
		for chunk, err := range sp.chunks(k) {
			if err != nil {
				return err
			}
			ck = chunkKey(ck, i)
			if err := b.Put(ck, sealChunk(id, k, i, chunk)); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// repairRecords replaces the stored records of the existing snapshot meta
// with sp's (the same content, read again) when they are not intact; see
// Ingest.
func (s *Store) repairRecords(ctx context.Context, meta graph.SnapshotMeta, sp *spool) error {
	damage := ""
	_, err := s.view(func(tx *bolt.Tx) error {
		return guard(func() error {
			_, seq, err := lookup(tx, meta.ID)
			if err != nil {
				return err
			}
			damage = "no records"
			if snap := tx.Bucket(bucketSnapshots).Bucket(seqKey(seq)); snap != nil {
				damage = recordsDamage(snap, meta.ID, sp)
			}
			return nil
		})
	})
	if err != nil || damage == "" {
		return err
	}
	err = s.update(sp.Bytes(), func(tx *bolt.Tx) error {
		_, seq, err := lookup(tx, meta.ID)
		if err != nil {
			return err
		}
		snap, err := tx.Bucket(bucketSnapshots).CreateBucketIfNotExists(seqKey(seq))
		if err != nil {
			return err
		}
		for k := range numKinds {
			if snap.Bucket(kindBuckets[k]) != nil {
				if err := snap.DeleteBucket(kindBuckets[k]); err != nil {
					return err
				}
			} else if snap.Get(kindBuckets[k]) != nil {
				if err := snap.Delete(kindBuckets[k]); err != nil {
					return err
				}
			}
		}
		return putRecords(snap, meta.ID, sp)
	})
	if err != nil {
		return fmt.Errorf("repair the records of snapshot %s in %s: %w", meta.ID, s.path, err)
	}
	graph.Notice(ctx, s.opts.notify, fmt.Sprintf("snapshot %s: damaged records replaced from the sources (%s)", meta.ID, damage))
	return nil
}

// recordsDamage tells what keeps the records stored in snap from being
// sp's ("" when nothing does): the chunks of each kind must be numbered
// 0, 1, … without a gap, each must pass its checksum, and together they
// must hold sp's bytes of that kind (however they are cut into chunks).
func recordsDamage(snap *bolt.Bucket, id graph.SnapshotID, sp *spool) string {
	for k := range numKinds {
		b := snap.Bucket(kindBuckets[k])
		if b == nil {
			return fmt.Sprintf("no %s", k)
		}
		if damage := kindDamage(b, id, k, sp); damage != "" {
			return damage
		}
	}
	return ""
}

// kindDamage is recordsDamage for the chunks of kind k, stored in b.
func kindDamage(b *bolt.Bucket, id graph.SnapshotID, k kind, sp *spool) string {
	next, stop := iter.Pull2(sp.chunks(k))
	defer stop()
	var want, ck []byte // the rest of the current spooled chunk; a chunk key
	more := true
	// fill makes want non-empty unless the spool is through.
	fill := func() error {
		for len(want) == 0 && more {
			var err error
			want, err, more = next()
			if err != nil {
				return err
			}
		}
		return nil
	}
	n := uint32(0)
	c := b.Cursor()
	for key, v := c.First(); key != nil; key, v = c.Next() {
		ck = chunkKey(ck, n)
		if !bytes.Equal(key, ck) {
			return fmt.Sprintf("%s chunk %d missing", k, n)
		}
		data, err := openChunk(id, k, n, v)
		if err != nil {
			return fmt.Sprintf("%s %v", k, err)
		}
		for len(data) > 0 {
			if err := fill(); err != nil {
				return err.Error()
			}
			if len(want) == 0 {
				return fmt.Sprintf("%s chunk %d: more records than the sources give", k, n)
			}
			m := min(len(data), len(want))
			if !bytes.Equal(data[:m], want[:m]) {
				return fmt.Sprintf("%s chunk %d: other records than the sources give", k, n)
			}
			data, want = data[m:], want[m:]
		}
		n++
	}
	if err := fill(); err != nil {
		return err.Error()
	}
	if len(want) > 0 {
		return fmt.Sprintf("%s: fewer records than the sources give (chunk %d missing)", k, n)
	}
	return ""
}
