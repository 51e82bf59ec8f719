package memstore

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
)

// maxCheckErrors caps the bbolt consistency errors a verification keeps.
const maxCheckErrors = 10

// Verification is the outcome of Store.Verify.
type Verification struct {
	// File is the damage found in the file as a whole (meta pages, size,
	// page structure, the snapshot list); nil when none.
	File error
	// Snapshots is every snapshot whose metadata could be read, oldest first.
	Snapshots []SnapshotVerification
	// Pending is how many bytes of records an ingest that died between its
	// commit transactions left in the file: no snapshot, not damage, and
	// removed by the next ingest.
	Pending int64
}

// SnapshotVerification is the outcome of verifying one snapshot.
type SnapshotVerification struct {
	Meta graph.SnapshotMeta
	// Err is nil when every chunk's checksum matches, every record decodes,
	// the counts match the metadata and the content hash recomputed from
	// the records is the snapshot's id.
	Err error
}

// Intact reports whether nothing damaged was found.
func (v Verification) Intact() bool {
	if v.File != nil {
		return false
	}
	for _, s := range v.Snapshots {
		if s.Err != nil {
			return false
		}
	}
	return true
}

// Verify reads the whole file: bbolt's page consistency check, every
// snapshot's metadata, every chunk (checksum), every record (decode) and
// the content hash. Damage is reported in the Verification, not as the
// error; the error is for what stops the check itself (ctx, a lock held by
// another process, a file that is not a reachgraph store, a closed Store).
func (s *Store) Verify(ctx context.Context) (Verification, error) {
	var v Verification
	db, err := s.acquire()
	switch {
	case errors.Is(err, ErrDamaged):
		v.File = err
		return v, nil
	case err != nil:
		return v, err
	case db == nil:
		return v, nil // no file yet: an empty store
	}
	s.release()
	if _, err := s.view(func(tx *bolt.Tx) error {
		if err := consistency(tx, s.path); err != nil {
			return err
		}
		v.Pending = pendingSize(tx)
		return nil
	}); err != nil {
		v.File = s.storeErr(err)
	}
	list, err := s.Snapshots(ctx)
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			return v, err
		}
		// The list is damaged: check what the id index still names.
		v.File = errors.Join(v.File, err)
		list = s.indexedIDs()
	}
	for _, m := range list {
		if err := ctx.Err(); err != nil {
			return v, err
		}
		r, err := s.Snapshot(ctx, m.ID)
		if err == nil {
			m = r.Meta()
			err = rehash(ctx, r.(*reader))
			if err == nil {
				err = r.(*reader).verifyDerived(ctx)
			}
		} else {
			err = fmt.Errorf("snapshot %s is %w: %w", m.ID, ErrDamaged, err)
		}
		v.Snapshots = append(v.Snapshots, SnapshotVerification{Meta: m, Err: err})
	}
	return v, nil
}

// pendingSize is the size of the values in the pending bucket, where a
// commit puts a snapshot's records until its last transaction moves them.
func pendingSize(tx *bolt.Tx) int64 {
	var n int64
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				if sub := b.Bucket(k); sub != nil {
					walk(sub)
				}
				return nil
			}
			n += int64(len(v))
			return nil
		})
	}
	if p := tx.Bucket(bucketPending); p != nil {
		walk(p)
	}
	return n
}

// indexedIDs returns the ids in the id index, as far as it can be read.
func (s *Store) indexedIDs() []graph.SnapshotMeta {
	var out []graph.SnapshotMeta
	_, _ = s.view(func(tx *bolt.Tx) error {
		ids := tx.Bucket(bucketIDs)
		if ids == nil {
			return nil
		}
		return ids.ForEach(func(k, _ []byte) error {
			out = append(out, graph.SnapshotMeta{ID: graph.SnapshotID(k)})
			return nil
		})
	})
	return out
}

// consistency runs bbolt's page check (every page reachable once, none
// both used and free) and returns the first errors it finds.
func consistency(tx *bolt.Tx, path string) error {
	var errs []error
	for err := range tx.Check() {
		if len(errs) < maxCheckErrors {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return damagedFile(path, fmt.Errorf("page structure: %w", errors.Join(errs...)))
}

// rehash reads every record of r (each chunk's checksum and each record's
// decoding are checked on the way) and recomputes the content hash, which
// must be the snapshot's id, and the counts.
func rehash(ctx context.Context, r *reader) error {
	got, counts, err := graph.Rehash(ctx, r)
	if err != nil {
		return err
	}
	if got != r.meta.ID || counts != r.meta.Counts {
		return fmt.Errorf("snapshot %s is %w: its records hash to %s: %w", r.meta.ID, ErrDamaged, got, graph.ErrCorrupt)
	}
	return nil
}

// verifyDerived reads every derived data set of r (each chunk's checksum is
// checked on the way).
func (r *reader) verifyDerived(ctx context.Context) error {
	var names []string
	db, err := r.store.acquire()
	if err != nil || db == nil {
		return err
	}
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			all, err := r.derivedAll(tx)
			if all == nil || err != nil {
				return err
			}
			return all.ForEach(func(k, _ []byte) error {
				names = append(names, string(k))
				return nil
			})
		})
	})
	r.store.release()
	if err != nil {
		return r.derivedDamage("data", err)
	}
	for _, name := range names {
		if _, _, err := r.Derived(ctx, name); err != nil {
			return err
		}
	}
	return nil
}
