package memstore

import (
	"github.com/reachgraph/reachgraph/graph"
)

// spool is the graph.Writer handed to an Ingest callback. It feeds every
// record to the content hasher and appends its canonical encoding to the
// current chunk of its kind; chunks are sealed at chunkSize bytes. Nothing
// touches the store file until the callback has returned.
type spool struct {
	hasher  *graph.IDHasher
	size    int
	kinds   [numKinds]chunker
	scratch []byte
	bytes   int // total encoded size
	done    bool
}

// chunker collects the encoded records of one kind.
type chunker struct {
	sealed [][]byte
	cur    []byte
}

func newSpool(meta graph.SnapshotMeta, size int) *spool {
	return &spool{hasher: graph.NewIDHasher(meta), size: size}
}

// add appends one encoded record (in sp.scratch) to kind k's chunks. A chunk
// never splits a record, so each chunk decodes on its own.
func (sp *spool) add(k kind) {
	c := &sp.kinds[k]
	rec := sp.scratch
	if len(c.cur) > 0 && len(c.cur)+len(rec) > sp.size {
		c.sealed = append(c.sealed, c.cur)
		c.cur = nil
	}
	if c.cur == nil {
		c.cur = make([]byte, 0, max(sp.size, len(rec))+crcLen) // room for the checksum trailer
	}
	c.cur = append(c.cur, rec...)
	sp.bytes += len(rec)
}

// chunks returns kind k's chunks in write order.
func (sp *spool) chunks(k kind) [][]byte {
	c := &sp.kinds[k]
	if len(c.cur) == 0 {
		return c.sealed
	}
	return append(c.sealed[:len(c.sealed):len(c.sealed)], c.cur)
}

// put encodes one record once, hashes that encoding for the snapshot id and
// appends it to kind k's chunks.
func (sp *spool) put(k kind, enc func([]byte) []byte) error {
	if sp.done {
		return errWriterDone
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
