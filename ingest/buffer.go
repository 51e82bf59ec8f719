package ingest

import (
	"cmp"
	"slices"

	"github.com/reachgraph/reachgraph/graph/spill"
)

// chunkSize is the size of one chunk of a recordBuf. Records are appended
// whole, so a chunk may end a little short of it, or grow past it for a very
// large record.
const chunkSize = 1 << 20

// spillAt is how many bytes of sealed record chunks a load keeps in memory,
// all sections together; past it they go to a temporary file (spill.Pool)
// and are read back, a chunk at a time, when they are amended and replayed.
const spillAt = 64 << 20

// recordBuf holds the validated records of one section in their canonical
// encoding (graph.AppendX), chunked so that growth never copies old records.
// It is how ingest keeps a whole graph between validation and commit in a
// fraction of the memory of the Go structs or the input text; sealed chunks
// past the pool's budget are on disk, so a load's memory does not grow with
// its records. The zero recordBuf keeps everything in memory.
type recordBuf struct {
	pool    *spill.Pool // where sealed chunks go; shared by a load's buffers
	fixed   int         // when set, the size of every chunk (tests)
	sealed  []spill.Ref // full chunks, in order
	cur     []byte      // the chunk being filled: chunk number len(sealed)
	dropped []bufSpan   // records to leave out of the replay (superseded placeholders), any order
}

// bufSpan is where one record's encoding is in a recordBuf: bytes start to
// end of chunk number chunk.
type bufSpan struct {
	chunk, start, end int
}

// roomy is the free space a chunk must have to take the next record directly;
// a larger record still fits (the chunk grows), it just costs a copy.
const roomy = 4 << 10

// add appends one record produced by encode and returns where it is.
func (r *recordBuf) add(encode func(dst []byte) []byte) bufSpan {
	if r.cur != nil && cap(r.cur)-len(r.cur) < roomy {
		r.seal()
	}
	if r.cur == nil {
		size := chunkSize // small sections get small chunks: 8 KiB, 16 KiB … 1 MiB
		if n := len(r.sealed); n < 7 {
			size = 8 << 10 << n
		}
		r.cur = make([]byte, 0, cmp.Or(r.fixed, size))
	}
	start := len(r.cur)
	r.cur = encode(r.cur)
	return bufSpan{chunk: len(r.sealed), start: start, end: len(r.cur)}
}

// seal hands the current chunk to the pool, keeping its memory for the next
// one when the pool wrote it to disk and it is full size.
func (r *recordBuf) seal() {
	if r.pool == nil {
		r.pool = &spill.Pool{}
	}
	ref, reuse := r.pool.Seal(r.cur)
	r.sealed = append(r.sealed, ref)
	if r.cur = r.cur[:0]; !reuse || cap(r.cur) < chunkSize {
		r.cur = nil
	}
}

// drop leaves the record at sp out of the replay.
func (r *recordBuf) drop(sp bufSpan) { r.dropped = append(r.dropped, sp) }

// each calls fn with the rest of a chunk starting at every record not
// dropped, in the order they were added, until fn fails. fn consumes one
// record and returns what follows it; it must not keep rec, whose memory
// is reused for the next chunk read back from disk.
func (r *recordBuf) each(fn func(rec []byte) (rest []byte, err error)) error {
	return r.walk(fn, false)
}

// drain is each, releasing every chunk once its records are through, so
// that the buffer's memory goes back while the store takes the records in
// (at ten million identities the buffers hold gigabytes). The buffer is
// empty afterwards, also when fn fails.
func (r *recordBuf) drain(fn func(rec []byte) (rest []byte, err error)) error {
	defer r.release()
	return r.walk(fn, true)
}

// release gives every chunk back and empties the buffer.
func (r *recordBuf) release() {
	if r.pool != nil {
		for _, ref := range r.sealed {
			r.pool.Release(ref)
		}
	}
	r.sealed, r.cur, r.dropped = nil, nil, nil
}

func (r *recordBuf) walk(fn func(rec []byte) (rest []byte, err error), release bool) error {
	if r.pool != nil {
		if err := r.pool.Err(); err != nil {
			return err
		}
	}
	skip := slices.Clone(r.dropped)
	slices.SortFunc(skip, func(a, b bufSpan) int {
		if c := cmp.Compare(a.chunk, b.chunk); c != 0 {
			return c
		}
		return cmp.Compare(a.start, b.start)
	})
	var disk []byte // chunks read back from the pool's file, one at a time
	for i := range len(r.sealed) + 1 {
		chunk := r.cur
		if i < len(r.sealed) {
			ref := r.sealed[i]
			var err error
			if chunk, err = r.pool.Read(ref, disk); err != nil {
				return err
			}
			if ref.Spilled() {
				disk = chunk
			}
		}
		for rest := chunk; len(rest) > 0; {
			if len(skip) > 0 && skip[0].chunk == i && skip[0].start == len(chunk)-len(rest) {
				rest, skip = chunk[skip[0].end:], skip[1:]
				continue
			}
			var err error
			if rest, err = fn(rest); err != nil {
				return err
			}
		}
		if release && i < len(r.sealed) {
			r.pool.Release(r.sealed[i])
			r.sealed[i] = spill.Ref{}
		}
	}
	return nil
}
