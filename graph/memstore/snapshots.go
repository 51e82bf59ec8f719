package memstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
)

// Snapshots implements graph.SnapshotStore: every snapshot, oldest (first
// committed) first. The list is empty, never nil, when the store holds no
// snapshot, including when the file does not exist yet (it is not created).
func (s *Store) Snapshots(ctx context.Context) ([]graph.SnapshotMeta, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db, err := s.acquire()
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	if db == nil {
		return []graph.SnapshotMeta{}, nil // no file yet
	}
	defer s.release()
	if l, ok := s.cachedList(db); ok {
		return l, nil
	}
	out, err := s.readList(db)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	s.cacheList(db, out)
	return out, nil
}

// readList reads every snapshot's metadata through db, checking the order
// and the id index.
func (s *Store) readList(db *bolt.DB) ([]graph.SnapshotMeta, error) {
	out := []graph.SnapshotMeta{}
	err := s.storeErr(guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			metas, ids := tx.Bucket(bucketMeta), tx.Bucket(bucketIDs)
			if metas == nil {
				return nil
			}
			if err := metas.ForEach(func(k, v []byte) error {
				m, err := decodeMeta(k, v)
				if err != nil {
					return err
				}
				if want := seqKey(uint64(len(out) + 1)); !bytes.Equal(k, want) {
					return fmt.Errorf("snapshot metadata %x where %x belongs: %w", k, want, graph.ErrCorrupt)
				}
				if ids == nil || !bytes.Equal(ids.Get([]byte(m.ID)), k) {
					return fmt.Errorf("snapshot %s: the id index does not lead to its metadata: %w", m.ID, graph.ErrCorrupt)
				}
				out = append(out, m)
				return nil
			}); err != nil {
				return err
			}
			if n := metas.Sequence(); n != uint64(len(out)) {
				return fmt.Errorf("%d snapshots committed, %d found: %w", n, len(out), graph.ErrCorrupt)
			}
			return nil
		})
	}))
	return out, err
}

// Snapshot implements graph.SnapshotStore. id may be a full snapshot id, a
// prefix matching exactly one id, or "" for the newest snapshot. It returns
// an error wrapping graph.ErrSnapshotNotFound or graph.ErrAmbiguousSnapshot
// that names id. The Reader reads its snapshot lazily and stays valid, with
// the same content, when other snapshots are committed meanwhile; it fails
// with ErrClosed once the Store is closed.
func (s *Store) Snapshot(ctx context.Context, id graph.SnapshotID) (graph.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		meta graph.SnapshotMeta
		seq  uint64
	)
	_, err := s.view(func(tx *bolt.Tx) error {
		var err error
		meta, seq, err = lookup(tx, id)
		return err
	})
	if err == nil && seq == 0 {
		err = errNotFound(id) // no file yet
	}
	if err != nil {
		return nil, err
	}
	return &reader{store: s, meta: meta, seq: seq}, nil
}

func errNotFound(id graph.SnapshotID) error {
	if id == "" {
		return fmt.Errorf("newest snapshot: the store holds none: %w", graph.ErrSnapshotNotFound)
	}
	return fmt.Errorf("snapshot %q: %w", id, graph.ErrSnapshotNotFound)
}

// lookup resolves id ("" = newest, else an exact id, else a unique prefix).
func lookup(tx *bolt.Tx, id graph.SnapshotID) (graph.SnapshotMeta, uint64, error) {
	metas, ids := tx.Bucket(bucketMeta), tx.Bucket(bucketIDs)
	if metas == nil || ids == nil {
		return graph.SnapshotMeta{}, 0, errNotFound(id)
	}
	var key []byte
	if id == "" {
		key, _ = metas.Cursor().Last()
		if key != nil && !bytes.Equal(key, seqKey(metas.Sequence())) {
			return graph.SnapshotMeta{}, 0, fmt.Errorf("newest snapshot: metadata %x is the last found, %d were committed: %w", key, metas.Sequence(), graph.ErrCorrupt)
		}
	} else if key = ids.Get([]byte(id)); key == nil {
		c := ids.Cursor()
		prefix := []byte(id)
		k, v := c.Seek(prefix)
		if k != nil && bytes.HasPrefix(k, prefix) {
			if next, _ := c.Next(); next != nil && bytes.HasPrefix(next, prefix) {
				return graph.SnapshotMeta{}, 0, fmt.Errorf("snapshot %q: %w", id, graph.ErrAmbiguousSnapshot)
			}
			key = v
		}
	}
	if key == nil {
		return graph.SnapshotMeta{}, 0, errNotFound(id)
	}
	raw := metas.Get(key)
	if raw == nil {
		return graph.SnapshotMeta{}, 0, fmt.Errorf("snapshot %q: index entry without metadata: %w", id, graph.ErrCorrupt)
	}
	m, err := decodeMeta(key, raw)
	if err != nil {
		return graph.SnapshotMeta{}, 0, err
	}
	if !strings.HasPrefix(string(m.ID), string(id)) {
		return graph.SnapshotMeta{}, 0, fmt.Errorf("snapshot %q: the id index leads to the metadata of %s: %w", id, m.ID, graph.ErrCorrupt)
	}
	return m, binary.BigEndian.Uint64(key), nil
}

// lookupExact returns the metadata of the snapshot with exactly id.
func lookupExact(tx *bolt.Tx, id graph.SnapshotID) (graph.SnapshotMeta, bool, error) {
	ids := tx.Bucket(bucketIDs)
	if ids == nil || ids.Get([]byte(id)) == nil {
		return graph.SnapshotMeta{}, false, nil
	}
	m, _, err := lookup(tx, id)
	return m, err == nil, err
}

func decodeMeta(key, raw []byte) (graph.SnapshotMeta, error) {
	var m graph.SnapshotMeta
	if len(key) != 8 {
		return m, fmt.Errorf("snapshot metadata key %x: %w", key, graph.ErrCorrupt)
	}
	js, err := openMeta(key, raw)
	if err != nil {
		return m, fmt.Errorf("snapshot metadata %d: %w: %w", binary.BigEndian.Uint64(key), graph.ErrCorrupt, err)
	}
	if err := json.Unmarshal(js, &m); err != nil {
		return m, fmt.Errorf("snapshot metadata %d: %w: %w", binary.BigEndian.Uint64(key), graph.ErrCorrupt, err)
	}
	return m, nil
}
