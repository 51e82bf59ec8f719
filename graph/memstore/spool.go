package memstore

import (
	"iter"

	"github.com/reachgraph/reachgraph/graph"
	recspool "github.com/reachgraph/reachgraph/graph/spool"
)

// spool is the graph.Writer handed to an Ingest callback (graph/spool): it
// feeds every record to the content hasher and appends its canonical
// encoding to the current chunk of its kind, sealed at chunkSize bytes with
// room for the checksum trailer (sealChunk appends in place). Nothing
// touches the store file until the callback has returned.
//
// Sealed chunks stay in memory up to spillAt bytes in all; past that they go
// to an unnamed temporary file next to the store (removed as soon as it is
// created, so a crash leaves nothing behind) and are read back one at a
// time when the snapshot is derived and committed.
type spool struct{ *recspool.Spool }

func newSpool(meta graph.SnapshotMeta, size, spillAt int, dir string) *spool {
	return &spool{recspool.New(meta, recspool.Options{Chunk: size, Budget: spillAt, Spare: crcLen, Dir: dir, Done: errWriterDone})}
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
		for c, err := range sp.All() {
			if !yield(kchunk{k: kind(c.Kind), n: c.N, data: c.Data}, err) {
				return
			}
		}
	}
}

// close releases the spill file.
func (sp *spool) close() { sp.Close() }

// chunks yields kind k's chunks in write order, each with room for the
// checksum trailer after it. A chunk read back from the spill file is fresh
// memory the caller may keep; the yielded error is a failed read.
func (sp *spool) chunks(k kind) iter.Seq2[[]byte, error] { return sp.Chunks(graph.RecordKind(k)) }
