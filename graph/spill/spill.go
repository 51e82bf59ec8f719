// Package spill keeps sealed chunks of bytes in memory up to a budget and
// in an unnamed temporary file past it, to be read back in any order.
//
// Ingest uses it twice: the loader for the validated records it holds until
// the whole input is known to be good, and the embedded store for the
// encoded records it holds until they are committed. Either holds the whole
// graph at once; at tier L that is gigabytes, which a Pool keeps on disk.
//
// The file is removed as soon as it is created, so a crash leaves nothing
// behind where the system allows it (on Linux and other Unix systems; Close
// removes it elsewhere).
package spill

import (
	"fmt"
	"os"
)

// Pool is where the chunks go. The zero Pool keeps everything in memory.
// A Pool is not safe for concurrent use.
type Pool struct {
	// Op names the operation in errors ("ingest" when empty).
	Op     string
	spills bool   // made by New: the zero Pool never spills
	budget int    // bytes of chunks kept in memory before spilling
	held   int    // bytes of chunks in memory
	dir    string // where the file goes
	what   string // what is spilled, for errors: "spool", "records"
	file   *os.File
	size   int64
	err    error // the first failure to spill; later chunks stay in memory
}

// Ref is one sealed chunk: in memory, or n bytes at off in the file.
type Ref struct {
	mem    []byte
	off    int64
	n      int
	onDisk bool
}

// Len is the chunk's length in bytes.
func (r Ref) Len() int {
	if r.onDisk {
		return r.n
	}
	return len(r.mem)
}

// Spilled reports whether the chunk is in the file.
func (r Ref) Spilled() bool { return r.onDisk }

// New returns a Pool that keeps up to budget bytes in memory and spills to
// a temporary file in dir past that ("" is the system's temporary
// directory). what names the contents in errors.
func New(dir, what string, budget int) *Pool {
	if dir == "" {
		dir = os.TempDir()
	}
	return &Pool{spills: true, budget: max(budget, 0), dir: dir, what: what}
}

// Seal takes a full chunk. While the pool holds less than its budget the
// chunk stays in memory and belongs to the pool; past it the chunk is
// written to the file and reuse reports that the caller may write over it.
// A chunk that cannot be written stays in memory and Err reports why.
func (p *Pool) Seal(chunk []byte) (ref Ref, reuse bool) {
	if !p.spills || p.held+len(chunk) <= p.budget || p.err != nil {
		p.held += len(chunk)
		return Ref{mem: chunk}, false
	}
	if p.file == nil {
		f, err := os.CreateTemp(p.dir, ".reachgraph-"+p.what+"-*")
		if err != nil {
			p.err = fmt.Errorf("%s: %s to a temporary file in %s: %w", p.op(), p.what, p.dir, err)
			return p.Seal(chunk)
		}
		_ = os.Remove(f.Name()) // unnamed from now on where the system allows (Close removes it elsewhere)
		p.file = f
	}
	if _, err := p.file.WriteAt(chunk, p.size); err != nil {
		p.err = fmt.Errorf("%s: %s to %s: %w", p.op(), p.what, p.file.Name(), err)
		return p.Seal(chunk)
	}
	ref = Ref{off: p.size, n: len(chunk), onDisk: true}
	p.size += int64(len(chunk))
	return ref, true
}

// Read returns the chunk: its memory when it is held, or its bytes read
// from the file into buf's storage when buf has the room (fresh memory when
// not). Reading a chunk from the file does not change the file.
func (p *Pool) Read(ref Ref, buf []byte) ([]byte, error) {
	if !ref.onDisk {
		return ref.mem, nil
	}
	if cap(buf) < ref.n {
		buf = make([]byte, ref.n)
	}
	buf = buf[:ref.n]
	if _, err := p.file.ReadAt(buf, ref.off); err != nil {
		return nil, fmt.Errorf("%s: read back the %s in %s: %w", p.op(), p.what, p.file.Name(), err)
	}
	return buf, nil
}

func (p *Pool) op() string {
	if p.Op == "" {
		return "ingest"
	}
	return p.Op
}

// Release gives back the memory of a chunk the caller is done with. Its
// place in the file, if any, is not reused.
func (p *Pool) Release(ref Ref) {
	if !ref.onDisk {
		p.held -= len(ref.mem)
	}
}

// Err is the first failure to spill, if any.
func (p *Pool) Err() error { return p.err }

// Held is how many bytes of chunks are in memory.
func (p *Pool) Held() int { return p.held }

// Spilled is how many bytes were written to the file.
func (p *Pool) Spilled() int64 { return p.size }

// Close releases the file. The pool must not be used afterwards.
func (p *Pool) Close() {
	if p.file != nil {
		name := p.file.Name()
		_ = p.file.Close()
		_ = os.Remove(name)
		p.file = nil
	}
}
