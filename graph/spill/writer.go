package spill

// Writer is an io.Writer that cuts what it is given into chunks of Chunk
// bytes and seals each full one into Pool, the last one, shorter, on
// Finish. Each chunk is made with Spare bytes of room beyond Chunk (for a
// checksum the reader of the chunks appends, say).
type Writer struct {
	Pool  *Pool
	Chunk int
	Spare int

	cur  []byte
	refs []Ref
	size int
}

func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if w.cur == nil {
			w.cur = make([]byte, 0, w.Chunk+w.Spare)
		}
		k := min(len(p), w.Chunk-len(w.cur))
		w.cur, p = append(w.cur, p[:k]...), p[k:]
		if len(w.cur) == w.Chunk {
			w.seal()
		}
	}
	w.size += n
	return n, nil
}

func (w *Writer) seal() {
	ref, reuse := w.Pool.Seal(w.cur)
	w.refs = append(w.refs, ref)
	if w.cur = w.cur[:0]; !reuse {
		w.cur = nil // the pool keeps it
	}
}

// Finish seals the last chunk and returns the chunks, in order, and how
// many bytes were written. Nothing was written: no chunk.
func (w *Writer) Finish() (chunks []Ref, size int) {
	if len(w.cur) > 0 {
		w.seal()
	}
	return w.refs, w.size
}

// Discard gives back the memory of the chunks sealed so far, for output
// that will not be used.
func (w *Writer) Discard() {
	for _, r := range w.refs {
		w.Pool.Release(r)
	}
}
