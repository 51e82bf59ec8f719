package ingest

import (
	"cmp"
	"slices"
)

// chunkSize is the size of one chunk of a recordBuf. Records are appended
// whole, so a chunk may end a little short of it, or grow past it for a very
// large record.
const chunkSize = 1 << 20

// recordBuf holds the validated records of one section in their canonical
// encoding (graph.AppendX), chunked so that growth never copies old records.
// It is how ingest keeps a whole graph between validation and commit in a
// fraction of the memory of the Go structs or the input text.
type recordBuf struct {
	chunks  [][]byte
	dropped []bufSpan // records to leave out of the replay (superseded placeholders), any order
}

// bufSpan is where one record's encoding is in a recordBuf: chunks[chunk][start:end].
type bufSpan struct {
	chunk, start, end int
}

// roomy is the free space a chunk must have to take the next record directly;
// a larger record still fits (the chunk grows), it just costs a copy.
const roomy = 4 << 10

// add appends one record produced by encode and returns where it is.
func (r *recordBuf) add(encode func(dst []byte) []byte) bufSpan {
	if len(r.chunks) == 0 || cap(r.chunks[len(r.chunks)-1])-len(r.chunks[len(r.chunks)-1]) < roomy {
		size := chunkSize // small sections get small chunks: 8 KiB, 16 KiB … 1 MiB
		if n := len(r.chunks); n < 7 {
			size = 8 << 10 << n
		}
		r.chunks = append(r.chunks, make([]byte, 0, size))
	}
	last := &r.chunks[len(r.chunks)-1]
	start := len(*last)
	*last = encode(*last)
	return bufSpan{chunk: len(r.chunks) - 1, start: start, end: len(*last)}
}

// drop leaves the record at sp out of the replay.
func (r *recordBuf) drop(sp bufSpan) { r.dropped = append(r.dropped, sp) }

// each calls fn with the rest of a chunk starting at every record not
// dropped, in the order they were added, until fn fails. fn consumes one
// record and returns what follows it.
func (r *recordBuf) each(fn func(rec []byte) (rest []byte, err error)) error {
	return r.walk(fn, false)
}

// drain is each, releasing every chunk once its records are through, so
// that the buffer's memory goes back while the store takes the records in
// (at ten million identities the buffers hold gigabytes). The buffer is
// empty afterwards, also when fn fails.
func (r *recordBuf) drain(fn func(rec []byte) (rest []byte, err error)) error {
	defer func() { r.chunks, r.dropped = nil, nil }()
	return r.walk(fn, true)
}

func (r *recordBuf) walk(fn func(rec []byte) (rest []byte, err error), release bool) error {
	skip := slices.Clone(r.dropped)
	slices.SortFunc(skip, func(a, b bufSpan) int {
		if c := cmp.Compare(a.chunk, b.chunk); c != 0 {
			return c
		}
		return cmp.Compare(a.start, b.start)
	})
	for i, chunk := range r.chunks {
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
		if release {
			r.chunks[i] = nil
		}
	}
	return nil
}
