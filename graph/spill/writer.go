package spill

// Writer is an io.Writer that cuts what it is given into chunks of Chunk
// bytes and seals each full one into Pool, the last one, shorter, on
// Finish. Each chunk is made with Spare bytes of room beyond Chunk (for a
// checksum the reader of the chunks appends, say).
//
// Section lets the writer of the data keep a run of bytes within one chunk,
// so that a reader of the chunks finds it whole in one place.
type Writer struct {
	Pool  *Pool
	Chunk int
	Spare int

	cur   []byte
	limit int // the current chunk's size when a Section made it larger than Chunk; else 0
	refs  []Ref
	size  int
}

// MaxSection is the largest run Section keeps in one chunk: the largest
// value the embedded store's file format takes is just under 2 GiB.
const MaxSection = 1 << 30

func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		lim := w.chunkLimit()
		if w.cur == nil {
			w.cur = make([]byte, 0, lim+w.Spare)
		}
		k := min(len(p), lim-len(w.cur))
		w.cur, p = append(w.cur, p[:k]...), p[k:]
		if len(w.cur) == lim {
			w.seal()
		}
	}
	w.size += n
	return n, nil
}

// Section says that the next n bytes written belong together: when they do
// not fit in what is left of the current chunk, that chunk is sealed short
// and they start the next one, which for n beyond Chunk (up to MaxSection)
// is made n bytes long. Data that never spans two chunks can be used where
// it lies once the chunks are stored.
func (w *Writer) Section(n int) {
	if n <= 0 {
		return
	}
	if len(w.cur) > 0 && len(w.cur)+n > w.chunkLimit() {
		w.seal()
	}
	if n > w.Chunk && n <= MaxSection && len(w.cur) == 0 {
		w.limit = n
		if cap(w.cur) < n+w.Spare {
			w.cur = make([]byte, 0, n+w.Spare)
		}
	}
}

func (w *Writer) chunkLimit() int {
	if w.limit > 0 {
		return w.limit
	}
	return w.Chunk
}

func (w *Writer) seal() {
	ref, reuse := w.Pool.Seal(w.cur)
	w.refs = append(w.refs, ref)
	if w.cur = w.cur[:0]; !reuse || cap(w.cur) > w.Chunk+w.Spare {
		w.cur = nil // the pool keeps it, or it is a large section's, not worth keeping
	}
	w.limit = 0
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
