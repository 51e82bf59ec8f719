package projection

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"unsafe"

	"github.com/reachgraph/reachgraph/graph"
)

// ErrLayout is returned by Load for data written by a build with another
// memory layout (another format version, struct sizes or byte order): not
// damage, just not usable here; build the projection from the records.
var ErrLayout = errors.New("stored projection has another layout")

// persistMagic starts the stored form; its last byte is the format version.
// Version 2 added the credentials' valid_from and the membership natives;
// version 4 the id order, and the windows as flat arrays instead of sorted
// pairs to put in maps.
const persistMagic = "RGPROJ\x00\x04"

// layoutWords are the sizes the stored arrays were written with.
var layoutWords = [...]uint64{
	uint64(unsafe.Sizeof(Grant{})), uint64(unsafe.Sizeof(Cred{})), uint64(unsafe.Sizeof(Deleg{})),
	uint64(unsafe.Sizeof(Window{})), uint64(unsafe.Sizeof(true)), 0x0102030405060708,
}

// AppendBinary appends p in the stored form: a header, then every array of
// p as its bytes in memory (little-endian hosts), each with its length and
// padded to 8 bytes, so that Load uses them where they lie instead of
// decoding them. Only the id hash table is not stored: its hash is seeded
// per process. The ids' sorted order is stored instead, so a loaded
// projection finds ids by binary search until it is worth building the
// table (see idTable).
func (p *Projection) AppendBinary(b []byte) ([]byte, error) {
	sorted := p.ids.sortedIDs()
	size := encoder{counting: true} // a projection is hundreds of MB at tier M: grow b once
	p.encode(&size, sorted)
	e := encoder{b: append(slices.Grow(b, size.n), persistMagic...)}
	p.encode(&e, sorted)
	return e.b, nil
}

// WriteBinary writes p in the stored form (AppendBinary) to w, array by
// array as they lie in memory, without a copy of the whole. When w cuts
// what it is given into chunks and lets its writer keep runs of bytes
// whole (a Sectioner, as spill.Writer is), each array with its length and
// padding is one such run, so that LoadParts of the chunks uses every
// array where it lies.
func (p *Projection) WriteBinary(w io.Writer) error {
	e := encoder{w: w}
	e.sections, _ = w.(Sectioner)
	e.write([]byte(persistMagic))
	p.encode(&e, p.ids.sortedIDs())
	return e.err
}

func (p *Projection) encode(e *encoder, sorted []int32) {
	if e.counting {
		e.n += len(persistMagic)
	}
	for _, w := range layoutWords {
		e.word(w)
	}
	put(e, p.base[:])
	put(e, p.ids.buf)
	put(e, p.ids.off)
	put(e, sorted)
	lens := make([]uint32, len(p.Strings))
	var text []byte
	for i, s := range p.Strings {
		lens[i] = uint32(len(s))
		text = append(text, s...)
	}
	put(e, lens)
	put(e, text)
	put(e, p.resParent)
	put(e, p.resSystem)
	put(e, p.resKind)
	put(e, p.sox)
	put(e, p.identType)
	put(e, p.active)
	put(e, p.actor)
	put(e, p.Grants)
	putSparse(e, &p.grantWin)
	put(e, p.Creds)
	putSparse(e, &p.credFrom)
	put(e, p.Delegs)
	putSparse(e, &p.delegWin)
	putMembers(e, &p.members)
	putMemberNatives(e, p.memberNat)
	put(e, []int64{int64(p.sameAs)})
	for _, c := range p.csrs() {
		put(e, []int32{c.Base})
		put(e, c.Off)
		put(e, c.Adj)
	}
}

// csrs lists p's adjacency arrays in their stored order.
func (p *Projection) csrs() []*CSR {
	return []*CSR{&p.CredSys, &p.MemberOut, &p.MemberIn, &p.GrantOut, &p.GrantIn, &p.DelegOut, &p.DelegIn,
		&p.CredsOf, &p.StoredAt, &p.Children, &p.SysRes}
}

// Sectioner is a writer that keeps the next n bytes written to it
// together in one of the chunks it cuts its input into (spill.Writer).
type Sectioner interface {
	Section(n int)
}

// encoder appends the stored form to b, writes it to w (when set), or
// only counts its bytes in n. Writing, it keeps the first error.
type encoder struct {
	b        []byte
	n        int
	counting bool
	w        io.Writer
	sections Sectioner // w's, when it has them
	err      error
	scratch  [8]byte
}

func (e *encoder) word(w uint64) {
	if e.counting {
		e.n += 8
		return
	}
	if e.w != nil {
		binary.LittleEndian.PutUint64(e.scratch[:], w)
		e.write(e.scratch[:])
		return
	}
	e.b = binary.LittleEndian.AppendUint64(e.b, w)
}

// write sends b to w, counting it, unless an earlier write failed.
func (e *encoder) write(b []byte) {
	if e.err == nil && len(b) > 0 {
		_, e.err = e.w.Write(b)
		e.n += len(b)
	}
}

func put[T any](e *encoder, s []T) {
	var raw []byte
	if len(s) > 0 {
		raw = unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
	}
	if e.sections != nil && e.err == nil {
		e.sections.Section(8 + (len(raw)+7)&^7)
	}
	e.word(uint64(len(raw)))
	if e.counting {
		e.n += (len(raw) + 7) &^ 7
		return
	}
	if e.w != nil {
		e.write(raw)
		e.write(make([]byte, (8-len(raw)%8)%8)) // the stream starts 8-aligned: pad like the buffer
		return
	}
	e.b = append(e.b, raw...)
	for len(e.b)%8 != 0 {
		e.b = append(e.b, 0)
	}
}

func putMembers(e *encoder, m *memberWindows) {
	put(e, m.keys)
	put(e, m.off)
	put(e, m.ws)
	put(e, m.from)
	put(e, []int32{m.base})
}

// StoredName is the name a store keeps the projection under
// (graph.DerivedReader).
const StoredName = "projection"

// Current reports whether data is a stored projection in the form this
// build writes (version and memory layout), which for the same records is
// the form it would write now; it is the graph.DeriveCheck of StoredName.
// It checks the header only: damage is for the store's checksums and Load.
func Current(data []byte) bool {
	d := &decoder{parts: [][]byte{data}, rest: uint64(len(data))}
	d.next()
	return d.header() == nil
}

// Derive builds r's projection and returns its stored form; it is the
// graph.DeriveFunc a store runs at ingest.
func Derive(ctx context.Context, r graph.Reader, w io.Writer) error {
	p, err := Build(ctx, r)
	if err != nil {
		return err
	}
	return p.WriteBinary(w)
}
