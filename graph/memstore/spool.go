package memstore

import (
	"iter"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
)

// spool is the graph.Writer handed to an Ingest callback. It feeds every
// record to the content hasher and appends its canonical encoding to the
// current chunk of its kind; chunks are sealed at chunkSize bytes. Nothing
// touches the store file until the callback has returned.
//
// Sealed chunks stay in memory up to spillAt bytes in all; past that they go
// to an unnamed temporary file next to the store (removed as soon as it is
// created, so a crash leaves nothing behind) and are read back one at a
// time when the snapshot is derived and committed. A tier-L estate spools
// gigabytes; this keeps them out of the heap.
type spool struct {
	hasher  *graph.IDHasher
	size    int
	kinds   [numKinds]chunker
	scratch []byte
	bytes   int // total encoded size
	done    bool
	pool    *spill.Pool // sealed chunks: in memory up to spillAt bytes, then in a temporary file
}

// chunker collects the encoded records of one kind.
type chunker struct {
	sealed []spill.Ref
	cur    []byte
}

func newSpool(meta graph.SnapshotMeta, size, spillAt int, dir string) *spool {
	return &spool{hasher: graph.NewIDHasher(meta), size: size, pool: spill.New(dir, "spool", spillAt)}
}

// add appends one encoded record (in sp.scratch) to kind k's chunks. A chunk
// never splits a record, so each chunk decodes on its own.
func (sp *spool) add(k kind) {
	c := &sp.kinds[k]
	rec := sp.scratch
	if len(c.cur) > 0 && len(c.cur)+len(rec) > sp.size {
		ref, reuse := sp.pool.Seal(c.cur)
		c.sealed = append(c.sealed, ref)
		if c.cur = c.cur[:0]; !reuse {
			c.cur = nil // the pool keeps it
		}
	}
	if c.cur == nil {
		c.cur = make([]byte, 0, max(sp.size, len(rec))+crcLen) // room for the checksum trailer
	}
	c.cur = append(c.cur, rec...)
	sp.bytes += len(rec)
}

// kchunk is one chunk of a spool: its kind, number and records.
type kchunk struct {
	k    kind
	n    uint32
	data []byte
}

// all yields every chunk, kind by kind in kind order, each kind's in write
// order (see chunks).
func (sp *spool) all() iter.Seq2[kchunk, error] {
	return func(yield func(kchunk, error) bool) {
		for k := range numKinds {
			n := uint32(0)
			for data, err := range sp.chunks(k) {
				if !yield(kchunk{k: k, n: n, data: data}, err) || err != nil {
					return
				}
				n++
			}
		}
	}
}

// close releases the spill file.
func (sp *spool) close() { sp.pool.Close() }

// chunks yields kind k's chunks in write order, each with room for the
// checksum trailer after it (sealChunk appends in place). A chunk read back
// from the spill file is fresh memory the caller may keep; the yielded error
// is a failed read.
func (sp *spool) chunks(k kind) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		c := &sp.kinds[k]
		for _, ref := range c.sealed {
			data, err := sp.pool.Read(ref, make([]byte, 0, ref.Len()+crcLen))
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
func (sp *spool) put(k kind, enc func([]byte) []byte) error {
	if sp.done {
		return errWriterDone
	}
	if err := sp.pool.Err(); err != nil {
		return err
	}
	sp.scratch = enc(sp.scratch[:0])
	sp.hasher.PutEncoded(graph.RecordKind(k), sp.scratch)
	sp.add(k)
	return nil
}

// PutSystem spools r.
func (sp *spool) PutSystem(r graph.System) error {
	return sp.put(kindSystem, func(b []byte) []byte { return graph.AppendSystem(b, r) })
}

// PutResource spools r.
func (sp *spool) PutResource(r graph.Resource) error {
	return sp.put(kindResource, func(b []byte) []byte { return graph.AppendResource(b, r) })
}

// PutIdentity spools r.
func (sp *spool) PutIdentity(r graph.Identity) error {
	return sp.put(kindIdentity, func(b []byte) []byte { return graph.AppendIdentity(b, r) })
}

// PutGroup spools r.
func (sp *spool) PutGroup(r graph.Group) error {
	return sp.put(kindGroup, func(b []byte) []byte { return graph.AppendGroup(b, r) })
}

// PutMembership spools r.
func (sp *spool) PutMembership(r graph.Membership) error {
	return sp.put(kindMembership, func(b []byte) []byte { return graph.AppendMembership(b, r) })
}

// PutGrant spools r.
func (sp *spool) PutGrant(r graph.Grant) error {
	return sp.put(kindGrant, func(b []byte) []byte { return graph.AppendGrant(b, r) })
}

// PutCredential spools r.
func (sp *spool) PutCredential(r graph.Credential) error {
	return sp.put(kindCredential, func(b []byte) []byte { return graph.AppendCredential(b, r) })
}

// PutDelegation spools r.
func (sp *spool) PutDelegation(r graph.Delegation) error {
	return sp.put(kindDelegation, func(b []byte) []byte { return graph.AppendDelegation(b, r) })
}

var _ graph.Writer = (*spool)(nil)
