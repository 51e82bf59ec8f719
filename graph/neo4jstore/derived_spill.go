package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"maps"
	"slices"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/spill"
)

// derivedBudget is how many bytes of derived data an ingest (Bolt, the
// bulk export, or the refresh of a snapshot stored before) keeps in memory;
// the rest waits in a temporary file until its :Derived rows are written. A
// tier-M projection is about 0.9 GB, which a bytes.Buffer held whole (and up
// to twice while it grew) beside every record.
const derivedBudget = 64 << 20

// derivedPool returns the pool an ingest's derived data goes to: in memory
// up to derivedBudget, then an unnamed temporary file in dir ("" for
// $TMPDIR); op names the operation in its errors. The caller closes it.
func derivedPool(op, dir string) *spill.Pool {
	p := spill.New(dir, "derived data", derivedBudget)
	p.Op = op
	return p
}

// spilledDerived is what one derivation wrote: its parts of derivedPart
// bytes, held by a spill pool, with the whole data's size and SHA-256.
type spilledDerived struct {
	name  string
	size  int
	sum   string
	parts []spill.Ref
}

// deriveSpilled runs each of fns over the spooled records of a snapshot,
// names in order, and cuts what each writes into parts held by pool (in
// memory up to its budget, then in its temporary file). A derivation that
// fails is left out (the data is derived: readers rebuild it); ctx's end
// and a failure to spill are errors.
func deriveSpilled(ctx context.Context, fns map[string]graph.DeriveFunc, r graph.Reader, pool *spill.Pool) ([]spilledDerived, error) {
	var out []spilledDerived
	for _, name := range slices.Sorted(maps.Keys(fns)) {
		w := &partWriter{sw: spill.Writer{Pool: pool, Chunk: derivedPart}, h: sha256.New()}
		err := fns[name](ctx, r, w)
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if perr := pool.Err(); perr != nil {
			return nil, perr
		}
		if err != nil {
			w.sw.Discard()
			continue
		}
		out = append(out, w.finish(name))
	}
	return out, nil
}

// partWriter is the io.Writer a derivation writes to: it hashes what it
// gets and cuts it into parts of derivedPart bytes held by the pool. It has
// no sections (spill.Writer.Section): the parts become node properties,
// never used where they lie, and are cut the same way by every path.
type partWriter struct {
	sw spill.Writer
	h  hash.Hash
}

func (w *partWriter) Write(p []byte) (int, error) {
	w.h.Write(p)
	return w.sw.Write(p)
}

// finish seals the last part and returns what was written under name.
func (w *partWriter) finish(name string) spilledDerived {
	parts, size := w.sw.Finish()
	return spilledDerived{name: name, size: size, sum: hex.EncodeToString(w.h.Sum(nil)), parts: parts}
}

// partReader reads a sealed part back (*spill.Pool).
type partReader interface {
	Read(ref spill.Ref, buf []byte) ([]byte, error)
}

// spilledRows returns the :Derived node properties of every part of ds, in
// order (without snapshot, which the query or the CSV column adds): each
// part is read back from pool when its row is asked for, into one buffer
// for the parts in the file, and its base64 text made then. The first
// failure to read one is left in *readErr and its row has no data: the
// caller must check it.
func spilledRows(ds []spilledDerived, pool partReader, readErr *error) rowSource {
	type part struct {
		d *spilledDerived
		n int
	}
	var all []part
	for i := range ds {
		for n := range max(1, len(ds[i].parts)) { // empty data is one empty part
			all = append(all, part{&ds[i], n})
		}
	}
	var buf []byte
	return rowSource{n: len(all), at: func(i int) map[string]any {
		p := all[i]
		var body []byte
		if p.n < len(p.d.parts) {
			ref := p.d.parts[p.n]
			b, err := pool.Read(ref, buf)
			switch {
			case err != nil:
				if *readErr == nil {
					*readErr = err
				}
			case ref.Spilled():
				body, buf = b, b // the next part read from the file reuses it
			default:
				body = b
			}
		}
		return derivedPartRow(p.d.name, p.n, max(1, len(p.d.parts)), p.d.size, p.d.sum, body)
	}}
}
