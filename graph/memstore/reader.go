package memstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/reachgraph/reachgraph/graph"
)

// reader is the graph.Reader of one stored snapshot. It holds no transaction:
// each iterator reads its kind chunk by chunk, copying one chunk at a time out
// of a short read transaction, and decodes the copy while yielding. Snapshots
// are immutable and never deleted, so the chunks a reader sees are the same
// whatever is committed between two chunk reads.
type reader struct {
	store *Store
	meta  graph.SnapshotMeta
	seq   uint64
}

var _ graph.Reader = (*reader)(nil)

// Meta returns the snapshot's metadata.
func (r *reader) Meta() graph.SnapshotMeta {
	m := r.meta
	m.Files = append([]graph.SourceFile(nil), m.Files...)
	if len(m.Files) == 0 {
		m.Files = nil
	}
	return m
}

// Systems iterates the snapshot's systems in write order.
func (r *reader) Systems(ctx context.Context) iter.Seq2[graph.System, error] {
	return records(ctx, r, kindSystem, r.meta.Counts.Systems, graph.DecodeSystemShared)
}

// Resources iterates the snapshot's resources in write order.
func (r *reader) Resources(ctx context.Context) iter.Seq2[graph.Resource, error] {
	return records(ctx, r, kindResource, r.meta.Counts.Resources, graph.DecodeResourceShared)
}

// Identities iterates the snapshot's identities in write order.
func (r *reader) Identities(ctx context.Context) iter.Seq2[graph.Identity, error] {
	return records(ctx, r, kindIdentity, r.meta.Counts.Identities, graph.DecodeIdentityShared)
}

// Groups iterates the snapshot's groups in write order.
func (r *reader) Groups(ctx context.Context) iter.Seq2[graph.Group, error] {
	return records(ctx, r, kindGroup, r.meta.Counts.Groups, graph.DecodeGroupShared)
}

// Memberships iterates the snapshot's memberships in write order.
func (r *reader) Memberships(ctx context.Context) iter.Seq2[graph.Membership, error] {
	return records(ctx, r, kindMembership, r.meta.Counts.Memberships, graph.DecodeMembershipShared)
}

// Grants iterates the snapshot's grants in write order.
func (r *reader) Grants(ctx context.Context) iter.Seq2[graph.Grant, error] {
	return records(ctx, r, kindGrant, r.meta.Counts.Grants, graph.DecodeGrantShared)
}

// Credentials iterates the snapshot's credentials in write order.
func (r *reader) Credentials(ctx context.Context) iter.Seq2[graph.Credential, error] {
	return records(ctx, r, kindCredential, r.meta.Counts.Credentials, graph.DecodeCredentialShared)
}

// Delegations iterates the snapshot's delegations in write order.
func (r *reader) Delegations(ctx context.Context) iter.Seq2[graph.Delegation, error] {
	return records(ctx, r, kindDelegation, r.meta.Counts.Delegations, graph.DecodeDelegationShared)
}

// records iterates the want records of kind k. A producer goroutine reads
// and decodes one chunk ahead of the caller, so decoding overlaps with
// whatever the caller does per record (the projection builder does a lot);
// decoded batches are recycled, so the only allocations per record are the
// decoded strings. It checks ctx before every chunk and fails with
// graph.ErrCorrupt when a chunk does not decode or the number of records
// differs from the snapshot's counts.
func records[T any](ctx context.Context, r *reader, k kind, want int, decode func([]byte) (T, []byte, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if want == 0 {
			return
		}
		r.store.pin()
		defer r.store.unpin()
		full := make(chan batch[T], 1)
		free := make(chan []T, 2)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { decodeChunks(ctx, r, k, want, decode, full, free, stop) })
		defer wg.Wait()
		defer close(stop)
		for b := range full {
			for _, rec := range b.recs {
				if !yield(rec, nil) {
					return
				}
			}
			if b.err != nil {
				yield(zero, b.err)
				return
			}
			select {
			case free <- b.recs[:0]:
			default: // the producer has spares, or has finished
			}
		}
	}
}

// batch is the decoded records of one chunk, or the error that ends the
// iteration after them.
type batch[T any] struct {
	recs []T
	err  error
}

// decodeChunks is the producer of records: it sends one batch per chunk on
// full, reusing slices received on free, and closes full when done. It stops
// early when stop is closed.
func decodeChunks[T any](ctx context.Context, r *reader, k kind, want int, decode func([]byte) (T, []byte, error),
	full chan<- batch[T], free <-chan []T, stop <-chan struct{}) {
	defer close(full)
	send := func(b batch[T]) bool {
		select {
		case full <- b:
			return true
		case <-stop:
			return false
		}
	}
	// A panic here would kill the process (no caller can recover it): a
	// record that decodes into nonsense ends the iteration with an error.
	defer func() {
		if p := recover(); p != nil {
			send(batch[T]{err: r.corrupt(k, &panicError{value: p})})
		}
	}()
	n, last := 0, 0
	for chunk := uint32(0); n < want; chunk++ {
		if err := ctx.Err(); err != nil {
			send(batch[T]{err: err})
			return
		}
		// A fresh buffer per chunk: decoded strings are views of it (the
		// graph.DecodeXShared functions), so it must never be reused.
		buf, err := r.fetch(k, chunk)
		if err != nil {
			send(batch[T]{err: err})
			return
		}
		var recs []T
		select {
		case recs = <-free:
		default:
			recs = make([]T, 0, max(16, last))
		}
		for rest := buf; len(rest) > 0; {
			var rec T
			if rec, rest, err = decode(rest); err != nil {
				err = r.corrupt(k, fmt.Errorf("chunk %d, record %d: %w", chunk, n, err))
				break
			}
			recs = append(recs, rec)
			n++
		}
		if err == nil && n > want {
			err = r.corrupt(k, fmt.Errorf("more records stored than the %d the metadata counts", want))
		}
		last = len(recs)
		if !send(batch[T]{recs: recs, err: err}) || err != nil {
			return
		}
	}
}

// fetch returns chunk number n of kind k, its checksum checked, in a fresh
// buffer. A missing chunk before all counted records were read is damage.
func (r *reader) fetch(k kind, n uint32) ([]byte, error) {
	db, err := r.store.acquireFor(true)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, r.corrupt(k, fmt.Errorf("store file %s is gone", r.store.path))
	}
	defer r.store.release()
	var key [4]byte
	var buf []byte
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			snaps := tx.Bucket(bucketSnapshots)
			if snaps == nil {
				return errors.New("no snapshots bucket")
			}
			snap := snaps.Bucket(seqKey(r.seq))
			if snap == nil {
				return errors.New("no bucket for the snapshot")
			}
			b := snap.Bucket(kindBuckets[k])
			if b == nil {
				return fmt.Errorf("no %s bucket", k)
			}
			v := b.Get(chunkKey(key[:0], n))
			if v == nil {
				return fmt.Errorf("chunk %d missing", n)
			}
			buf = append([]byte(nil), v...) // v lives in the mmap only while tx is open
			return nil
		})
	})
	if err == nil {
		buf, err = openChunk(r.meta.ID, k, n, buf) // checked on the copy that is decoded
	}
	if err != nil {
		return nil, r.corrupt(k, err)
	}
	return buf, nil
}

// corrupt says the snapshot is damaged, naming the record kind; the error
// wraps ErrDamaged and graph.ErrCorrupt.
func (r *reader) corrupt(k kind, err error) error {
	return &damageError{
		msg:  fmt.Sprintf("snapshot %s is damaged: %s %v (in store file %s; re-ingest the sources or restore the file)", r.meta.ID, k, err, r.store.path),
		errs: []error{ErrDamaged, graph.ErrCorrupt, err},
	}
}

// damageError is a message that wraps ErrDamaged and graph.ErrCorrupt
// without repeating their text.
type damageError struct {
	msg  string
	errs []error
}

func (e *damageError) Error() string   { return e.msg }
func (e *damageError) Unwrap() []error { return e.errs }
