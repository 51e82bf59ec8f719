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
		c.cur = make([]byte, 0, max(sp.size, len(rec)))
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

// PutSystem spools r.
func (sp *spool) PutSystem(r graph.System) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutSystem(r)
	sp.scratch = graph.AppendSystem(sp.scratch[:0], r)
	sp.add(kindSystem)
	return nil
}

// PutResource spools r.
func (sp *spool) PutResource(r graph.Resource) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutResource(r)
	sp.scratch = graph.AppendResource(sp.scratch[:0], r)
	sp.add(kindResource)
	return nil
}

// PutIdentity spools r.
func (sp *spool) PutIdentity(r graph.Identity) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutIdentity(r)
	sp.scratch = graph.AppendIdentity(sp.scratch[:0], r)
	sp.add(kindIdentity)
	return nil
}

// PutGroup spools r.
func (sp *spool) PutGroup(r graph.Group) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutGroup(r)
	sp.scratch = graph.AppendGroup(sp.scratch[:0], r)
	sp.add(kindGroup)
	return nil
}

// PutMembership spools r.
func (sp *spool) PutMembership(r graph.Membership) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutMembership(r)
	sp.scratch = graph.AppendMembership(sp.scratch[:0], r)
	sp.add(kindMembership)
	return nil
}

// PutGrant spools r.
func (sp *spool) PutGrant(r graph.Grant) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutGrant(r)
	sp.scratch = graph.AppendGrant(sp.scratch[:0], r)
	sp.add(kindGrant)
	return nil
}

// PutCredential spools r.
func (sp *spool) PutCredential(r graph.Credential) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutCredential(r)
	sp.scratch = graph.AppendCredential(sp.scratch[:0], r)
	sp.add(kindCredential)
	return nil
}

// PutDelegation spools r.
func (sp *spool) PutDelegation(r graph.Delegation) error {
	if sp.done {
		return errWriterDone
	}
	_ = sp.hasher.PutDelegation(r)
	sp.scratch = graph.AppendDelegation(sp.scratch[:0], r)
	sp.add(kindDelegation)
	return nil
}

var _ graph.Writer = (*spool)(nil)
