package ingest

// chunkSize is the size of one chunk of a recordBuf. Records are appended
// whole, so a chunk may end a little short of it, or grow past it for a very
// large record.
const chunkSize = 1 << 20

// recordBuf holds the validated records of one section in their canonical
// encoding (graph.AppendX), chunked so that growth never copies old records.
// It is how ingest keeps a whole graph between validation and commit in a
// fraction of the memory of the Go structs or the input text.
type recordBuf struct {
	chunks [][]byte
}

// roomy is the free space a chunk must have to take the next record directly;
// a larger record still fits (the chunk grows), it just costs a copy.
const roomy = 4 << 10

// add appends one record produced by encode.
func (r *recordBuf) add(encode func(dst []byte) []byte) {
	if len(r.chunks) == 0 || cap(r.chunks[len(r.chunks)-1])-len(r.chunks[len(r.chunks)-1]) < roomy {
		size := chunkSize // small sections get small chunks: 8 KiB, 16 KiB … 1 MiB
		if n := len(r.chunks); n < 7 {
			size = 8 << 10 << n
		}
		r.chunks = append(r.chunks, make([]byte, 0, size))
	}
	last := &r.chunks[len(r.chunks)-1]
	*last = encode(*last)
}
