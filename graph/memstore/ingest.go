package memstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
// returned and nothing is added.
//
// meta's ID and Counts are replaced; CollectedAt and IngestedAt are stored in
// UTC, IngestedAt defaults to the current time; an empty Files list is stored
// as nil.
func (s *Store) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	if s.isClosed() {
		return graph.SnapshotMeta{}, ErrClosed
	}
	sp := newSpool(meta, s.opts.chunkSize)
	err := fn(sp)
	sp.done = true
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	if err := ctx.Err(); err != nil {
		return graph.SnapshotMeta{}, err
	}
	meta = meta.Normalized()
	meta.ID, meta.Counts = sp.hasher.Sum(), sp.hasher.Counts()
	if meta.IngestedAt.IsZero() {
		meta.IngestedAt = time.Now().UTC()
	}

	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	// Most re-ingests of unchanged data end here, without the exclusive lock.
	if existing, found, err := s.findExact(meta.ID); err != nil || found {
		return existing, err
	}
	derived, err := s.derive(ctx, meta, sp)
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

// commit writes the spooled snapshot in one write transaction.
func (s *Store) commit(meta graph.SnapshotMeta, sp *spool, derived map[string][]byte) (out graph.SnapshotMeta, err error) {
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return graph.SnapshotMeta{}, fmt.Errorf("ingest: encode metadata: %w", err)
	}
	if err := s.beginWrite(); err != nil {
		return graph.SnapshotMeta{}, err
	}
	defer s.endWrite()
	adding := sp.bytes
	for _, data := range derived {
		adding += len(data)
	}
	db, err := s.openWrite(adding)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close store %s: %w", s.path, cerr)
		}
	}()
	err = s.storeErr(guard(func() error {
		return db.Update(func(tx *bolt.Tx) error {
			if err := ensureLayout(tx, s.path); err != nil {
				return err
			}
			existing, found, err := lookupExact(tx, meta.ID)
			if err != nil || found {
				out = existing // another process committed the same content meanwhile
				return err
			}
			if err := putSnapshot(tx, meta, metaJSON, sp, derived, s.opts.derivedChunk); err != nil {
				return err
			}
			if s.opts.beforeCommit != nil {
				s.opts.beforeCommit()
			}
			out = meta
			return nil
		})
	}))
	if err != nil {
		return graph.SnapshotMeta{}, fmt.Errorf("ingest %s into %s: %w", meta.ID, s.path, err)
	}
	return out, nil
}

// putSnapshot adds the snapshot's metadata, id index entry, record chunks
// and derived data.
func putSnapshot(tx *bolt.Tx, meta graph.SnapshotMeta, metaJSON []byte, sp *spool, derived map[string][]byte, chunk int) error {
	metas := tx.Bucket(bucketMeta)
	seq, err := metas.NextSequence()
	if err != nil {
		return err
	}
	key := seqKey(seq)
	snap, err := tx.Bucket(bucketSnapshots).CreateBucket(key)
	if err != nil {
		return err
	}
	var ck []byte
	for k := range numKinds {
		b, err := snap.CreateBucket(kindBuckets[k])
		if err != nil {
			return err
		}
		b.FillPercent = 1 // keys only ever grow: pack pages full
		for i, chunk := range sp.chunks(k) {
			ck = chunkKey(ck, uint32(i))
			if err := b.Put(ck, sealChunk(meta.ID, k, uint32(i), chunk)); err != nil {
				return err
			}
		}
	}
	if err := putDerived(snap, meta.ID, derived, chunk); err != nil {
		return err
	}
	if err := metas.Put(key, sealMeta(key, metaJSON)); err != nil {
		return err
	}
	return tx.Bucket(bucketIDs).Put([]byte(meta.ID), key)
}
