// Package spool holds the records of one snapshot being ingested, out of
// the heap: a graph.Writer that feeds every record to the content hasher
// (the snapshot id) and appends its canonical encoding (graph.AppendSystem
// and the others) to the current chunk of its kind. Sealed chunks stay in
// memory up to a budget and go to an unnamed temporary file past it
// (graph/spill), to be read back kind by kind, as chunks or as records
// (Reader).
//
// The embedded store spools an ingest before it commits it; the Neo4j bulk
// export spools one before it writes its files. A tier-L estate spools
// gigabytes: only the budget stays in memory.
package spool

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
)

// Options size a Spool.
type Options struct {
	// Chunk is the target size of one chunk in bytes: records of one kind
	// are concatenated up to it; a larger record gets a chunk of its own.
	Chunk int
	// Budget is how many bytes of sealed chunks stay in memory.
	Budget int
	// Spare is room left free after each chunk, so its owner can append a
	// trailer (the embedded store's checksum) in place.
	Spare int
	// Dir is where the temporary file goes ("" for the system's).
	Dir string
	// What names the contents in errors ("spool" when empty); Op the
	// operation (spill.Pool.Op; "ingest" when empty).
	What, Op string
	// Done is returned by a Put after Finish (ErrDone when nil).
	Done error
}

// ErrDone is returned by a Put after Finish.
var ErrDone = errors.New("spool: Writer used after the records were complete")

// Spool is the graph.Writer; see the package comment. It is not safe for
// concurrent writes; after Finish, any number of readers may read it at once.
type Spool struct {
	opts    Options
	hasher  *graph.IDHasher
	kinds   [graph.NumRecordKinds]chunker
	scratch []byte
	bytes   int // total encoded size
	done    bool
	pool    *spill.Pool
}

// chunker collects the encoded records of one kind.
type chunker struct {
	sealed []spill.Ref
	cur    []byte
}

// New starts a spool for the snapshot described by meta (its provenance
// goes into the id, graph.NewIDHasher).
func New(meta graph.SnapshotMeta, o Options) *Spool {
	if o.What == "" {
		o.What = "spool"
	}
	if o.Done == nil {
		o.Done = ErrDone
	}
	pool := spill.New(o.Dir, o.What, o.Budget)
	pool.Op = o.Op
	return &Spool{opts: o, hasher: graph.NewIDHasher(meta), pool: pool}
}

// Pool is where the sealed chunks are; derived data may spill to it too.
func (sp *Spool) Pool() *spill.Pool { return sp.pool }

// Bytes is the encoded size of every record spooled.
func (sp *Spool) Bytes() int { return sp.bytes }

// Finish ends the writing: a later Put fails (Options.Done). It returns
// the first failure to spill, if any.
func (sp *Spool) Finish() error {
	sp.done = true
	return sp.pool.Err()
}

// Fill runs fn on the spool, finishes it and returns meta as the snapshot
// becomes: normalized, with the id and counts of the records spooled and
// IngestedAt defaulting to now (UTC). fn's error, a failure to spill, or
// ctx's end is returned instead.
func (sp *Spool) Fill(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	err := fn(sp)
	if ferr := sp.Finish(); err == nil {
		err = ferr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	meta = meta.Normalized()
	meta.ID, meta.Counts = sp.Sum(), sp.Counts()
	if meta.IngestedAt.IsZero() {
		meta.IngestedAt = time.Now().UTC()
	}
	return meta, nil
}

// Sum is the snapshot id of the records spooled (graph.IDHasher.Sum).
func (sp *Spool) Sum() graph.SnapshotID { return sp.hasher.Sum() }

// Counts are the records spooled, per kind.
func (sp *Spool) Counts() graph.Counts { return sp.hasher.Counts() }

// Close releases the temporary file.
func (sp *Spool) Close() { sp.pool.Close() }

// add appends one encoded record (in sp.scratch) to kind k's chunks. A chunk
// never splits a record, so each chunk decodes on its own.
func (sp *Spool) add(k graph.RecordKind) {
	c := &sp.kinds[k]
	rec := sp.scratch
	if len(c.cur) > 0 && len(c.cur)+len(rec) > sp.opts.Chunk {
		ref, reuse := sp.pool.Seal(c.cur)
		c.sealed = append(c.sealed, ref)
		if c.cur = c.cur[:0]; !reuse {
			c.cur = nil // the pool keeps it
		}
	}
	if c.cur == nil {
		c.cur = make([]byte, 0, max(sp.opts.Chunk, len(rec))+sp.opts.Spare)
	}
	c.cur = append(c.cur, rec...)
	sp.bytes += len(rec)
}

// Chunk is one chunk of a spool: its kind, number within the kind and
// records.
type Chunk struct {
	Kind graph.RecordKind
	N    uint32
	Data []byte
}

// All yields every chunk, kind by kind in kind order, each kind's in write
// order (see Chunks).
func (sp *Spool) All() iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		for k := range graph.NumRecordKinds {
			n := uint32(0)
			for data, err := range sp.Chunks(k) {
				if !yield(Chunk{Kind: k, N: n, Data: data}, err) || err != nil {
					return
				}
				n++
			}
		}
	}
}

// Chunks yields kind k's chunks in write order, each with Options.Spare
// bytes of room after it. A chunk read back from the temporary file is
// fresh memory the caller may keep; the yielded error is a failed read.
func (sp *Spool) Chunks(k graph.RecordKind) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		c := &sp.kinds[k]
		for _, ref := range c.sealed {
			data, err := sp.pool.Read(ref, make([]byte, 0, ref.Len()+sp.opts.Spare))
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(data, nil) {
				return
			}
		}
		if len(c.cur) > 0 {
			yield(c.cur, nil)
		}
	}
}

// put encodes one record once, hashes that encoding for the snapshot id and
// appends it to kind k's chunks.
func (sp *Spool) put(k graph.RecordKind, enc func([]byte) []byte) error {
	if sp.done {
		return sp.opts.Done
	}
	if err := sp.pool.Err(); err != nil {
		return err
	}
	sp.scratch = enc(sp.scratch[:0])
	sp.hasher.PutEncoded(k, sp.scratch)
	sp.add(k)
	return nil
}

// PutSystem spools r.
func (sp *Spool) PutSystem(r graph.System) error {
	return sp.put(graph.RecSystem, func(b []byte) []byte { return graph.AppendSystem(b, r) })
}

// PutResource spools r.
func (sp *Spool) PutResource(r graph.Resource) error {
	return sp.put(graph.RecResource, func(b []byte) []byte { return graph.AppendResource(b, r) })
}

// PutIdentity spools r.
func (sp *Spool) PutIdentity(r graph.Identity) error {
	return sp.put(graph.RecIdentity, func(b []byte) []byte { return graph.AppendIdentity(b, r) })
}

// PutGroup spools r.
func (sp *Spool) PutGroup(r graph.Group) error {
	return sp.put(graph.RecGroup, func(b []byte) []byte { return graph.AppendGroup(b, r) })
}

// PutMembership spools r.
func (sp *Spool) PutMembership(r graph.Membership) error {
	return sp.put(graph.RecMembership, func(b []byte) []byte { return graph.AppendMembership(b, r) })
}

// PutGrant spools r.
func (sp *Spool) PutGrant(r graph.Grant) error {
	return sp.put(graph.RecGrant, func(b []byte) []byte { return graph.AppendGrant(b, r) })
}

// PutCredential spools r.
func (sp *Spool) PutCredential(r graph.Credential) error {
	return sp.put(graph.RecCredential, func(b []byte) []byte { return graph.AppendCredential(b, r) })
}

// PutDelegation spools r.
func (sp *Spool) PutDelegation(r graph.Delegation) error {
	return sp.put(graph.RecDelegation, func(b []byte) []byte { return graph.AppendDelegation(b, r) })
}

var _ graph.Writer = (*Spool)(nil)

// Reader returns a graph.Reader over the spooled records, with meta as its
// metadata: each kind decoded chunk by chunk as it is read, any number of
// times, by any number of readers at once (after Finish). Decoded strings
// share the chunk's memory (graph.DecodeSystemShared and the others).
func (sp *Spool) Reader(meta graph.SnapshotMeta) graph.Reader {
	return &reader{meta: meta, sp: sp}
}

type reader struct {
	meta graph.SnapshotMeta
	sp   *Spool
}

func (r *reader) Meta() graph.SnapshotMeta { return r.meta }

func (r *reader) Systems(ctx context.Context) iter.Seq2[graph.System, error] {
	return records(ctx, r.sp, graph.RecSystem, graph.DecodeSystemShared)
}

func (r *reader) Resources(ctx context.Context) iter.Seq2[graph.Resource, error] {
	return records(ctx, r.sp, graph.RecResource, graph.DecodeResourceShared)
}

func (r *reader) Identities(ctx context.Context) iter.Seq2[graph.Identity, error] {
	return records(ctx, r.sp, graph.RecIdentity, graph.DecodeIdentityShared)
}

func (r *reader) Groups(ctx context.Context) iter.Seq2[graph.Group, error] {
	return records(ctx, r.sp, graph.RecGroup, graph.DecodeGroupShared)
}

func (r *reader) Memberships(ctx context.Context) iter.Seq2[graph.Membership, error] {
	return records(ctx, r.sp, graph.RecMembership, graph.DecodeMembershipShared)
}

func (r *reader) Grants(ctx context.Context) iter.Seq2[graph.Grant, error] {
	return records(ctx, r.sp, graph.RecGrant, graph.DecodeGrantShared)
}

func (r *reader) Credentials(ctx context.Context) iter.Seq2[graph.Credential, error] {
	return records(ctx, r.sp, graph.RecCredential, graph.DecodeCredentialShared)
}

func (r *reader) Delegations(ctx context.Context) iter.Seq2[graph.Delegation, error] {
	return records(ctx, r.sp, graph.RecDelegation, graph.DecodeDelegationShared)
}

// records yields the spooled records of kind k decoded by decode, chunk by
// chunk; ctx is checked between chunks.
func records[T any](ctx context.Context, sp *Spool, k graph.RecordKind, decode func([]byte) (T, []byte, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for chunk, err := range sp.Chunks(k) {
			if err == nil {
				err = ctx.Err()
			}
			if err != nil {
				yield(zero, err)
				return
			}
			for rest := chunk; len(rest) > 0; {
				rec, tail, err := decode(rest)
				if err != nil {
					yield(zero, err)
					return
				}
				if !yield(rec, nil) {
					return
				}
				rest = tail
			}
		}
	}
}
