package projection

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"unsafe"

	"github.com/reachgraph/reachgraph/graph"
)

// Load returns the projection stored by AppendBinary in data, for the
// snapshot meta. The arrays are used where they lie in data, which must not
// be modified afterwards (an array not 8-byte aligned is copied). The
// caller checks data's integrity (the embedded store checks a CRC-32C per
// chunk); Load checks the layout and that every array has the length and
// bounds the projection needs, so that a stored form that does not fit
// this snapshot is an error, never a crash. Data of another layout fails
// with ErrLayout.
func Load(meta graph.SnapshotMeta, data []byte) (*Projection, error) {
	return load(meta, [][]byte{data}, false)
}

// LoadParts is Load of the stored form cut into parts, in order (the
// chunks a store keeps it in). Every array that lies whole and 8-byte
// aligned in one part is used where it lies; one that spans parts is
// copied. A writer that knows its chunks (a spill.Writer's Section) keeps
// each array in one chunk, so that a store can hand out its chunks as views
// of its memory-mapped file and the projection is used from there, not
// copied: opening it then reads only what it checks and what a question
// touches.
//
// The parts are taken to be borrowed (valid only until their owner takes
// them back): every string the projection hands out is a copy — ID clones,
// and the interned strings (a small table) are copied at load — so that no
// answer, error or cache refers to the parts after they are given back.
// The numeric arrays must not be used after that.
func LoadParts(meta graph.SnapshotMeta, parts [][]byte) (*Projection, error) {
	return load(meta, parts, true)
}

func load(meta graph.SnapshotMeta, parts [][]byte, borrowed bool) (*Projection, error) {
	d := &decoder{parts: parts}
	for _, part := range parts {
		d.rest += uint64(len(part))
	}
	d.next()
	if err := d.header(); err != nil {
		return nil, err
	}
	p := &Projection{Meta: meta}
	base := view[int32](d)
	if d.err == nil && len(base) != len(p.base) {
		d.fail("%d kind bases", len(base))
	}
	copy(p.base[:], base)
	p.ids = &idTable{buf: view[byte](d), off: view[uint32](d), seed: maphash.MakeSeed()}
	sorted := view[int32](d)
	graph.WillNeed(sorted) // read whole by the check below (check's comment)
	lens, text := view[uint32](d), view[byte](d)
	if borrowed {
		text = bytes.Clone(text)
	}
	p.ids.borrowed = borrowed
	p.Strings = d.strings(lens, text)
	p.resParent, p.resSystem, p.resKind = view[int32](d), view[int32](d), view[int32](d)
	p.sox, p.identType, p.active, p.actor = view[int8](d), view[uint8](d), view[bool](d), view[int32](d)
	p.Grants = view[Grant](d)
	p.grantWin = loadSparse[Window](d)
	p.Creds = view[Cred](d)
	p.credFrom = loadSparse[int64](d)
	p.Delegs = view[Deleg](d)
	p.delegWin = loadSparse[Window](d)
	p.members = members(d)
	p.memberNat = loadMemberNatives(d, len(p.Strings))
	if same := view[int64](d); d.err == nil && len(same) == 1 {
		p.sameAs = int(same[0])
	} else {
		d.fail("same_as count")
	}
	for _, c := range p.csrs() {
		if b := view[int32](d); d.err == nil && len(b) == 1 {
			c.Base = b[0]
		} else {
			d.fail("CSR base")
		}
		c.Off, c.Adj = view[uint32](d), view[int32](d)
	}
	if d.err == nil && d.rest != 0 {
		d.fail("%d bytes after the last array", d.rest)
	}
	if d.err != nil {
		return nil, d.err
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("stored projection: %w: %w", graph.ErrCorrupt, err)
	}
	if !p.ids.loaded(sorted) {
		return nil, fmt.Errorf("stored projection: %w: the id order is not one of the %d nodes", graph.ErrCorrupt, p.ids.len())
	}
	return p, nil
}

// decoder reads the stored form's arrays in order from its parts; b is
// what is left of the current part, rest what is left of them all.
type decoder struct {
	parts [][]byte
	b     []byte
	rest  uint64
	err   error
}

// next moves to the next part that is not empty; b is empty when none is left.
func (d *decoder) next() {
	for len(d.b) == 0 && len(d.parts) > 0 {
		d.b, d.parts = d.parts[0], d.parts[1:]
	}
}

// take returns the next n bytes: a view of the current part when they lie
// in it, else a copy gathered from the parts. The caller has checked that
// n bytes remain.
func (d *decoder) take(n uint64) []byte {
	d.rest -= n
	d.next()
	if n <= uint64(len(d.b)) {
		out := d.b[:n:n]
		d.b = d.b[n:]
		d.next()
		return out
	}
	out := aligned(n)
	for at := uint64(0); at < n; {
		d.next()
		k := copy(out[at:], d.b)
		d.b = d.b[k:]
		at += uint64(k)
	}
	d.next()
	return out
}

// aligned returns n bytes of fresh 8-byte aligned memory.
func aligned(n uint64) []byte {
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n)
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("stored projection: %w: "+format, append([]any{graph.ErrCorrupt}, args...)...)
	}
}

func (d *decoder) header() error {
	n := uint64(len(persistMagic) + 8*len(layoutWords))
	if d.rest < n {
		return fmt.Errorf("stored projection: no header: %w", graph.ErrCorrupt)
	}
	h := d.take(n)
	if string(h[:len(persistMagic)-1]) != persistMagic[:len(persistMagic)-1] {
		return fmt.Errorf("stored projection: no header: %w", graph.ErrCorrupt)
	}
	if h[len(persistMagic)-1] != persistMagic[len(persistMagic)-1] {
		return fmt.Errorf("%w: version %d", ErrLayout, h[len(persistMagic)-1])
	}
	for i, w := range layoutWords {
		if got := binary.LittleEndian.Uint64(h[len(persistMagic)+8*i:]); got != w {
			return fmt.Errorf("%w: layout word %d is %#x, want %#x", ErrLayout, i, got, w)
		}
	}
	return nil
}

// view returns the next array of d as a []T: over d's bytes where it lies
// whole and aligned in one part, else over a copy.
func view[T any](d *decoder) []T {
	if d.err != nil {
		return nil
	}
	rest := d.rest
	if rest < 8 {
		d.fail("ends early")
		return nil
	}
	n := binary.LittleEndian.Uint64(d.take(8))
	size := uint64(unsafe.Sizeof(*new(T)))
	rest -= 8
	// n is checked against rest before it is padded: padding a length near
	// 2^64 wraps to a small number.
	if n%size != 0 || n > rest || (n+7)&^7 > rest {
		d.fail("array of %d bytes (of %d-byte items) where %d remain", n, size, rest)
		return nil
	}
	padded := (n + 7) &^ 7
	raw := d.take(padded)[:n]
	if n == 0 {
		return nil
	}
	if uintptr(unsafe.Pointer(&raw[0]))%8 != 0 {
		buf := aligned(n)
		copy(buf, raw)
		raw = buf
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&raw[0])), n/size)
}

func (d *decoder) strings(lens []uint32, text []byte) []string {
	out := make([]string, len(lens))
	at := 0
	for i, n := range lens {
		if at+int(n) > len(text) {
			d.fail("interned strings longer than their text")
			return nil
		}
		out[i] = unsafe.String(unsafe.SliceData(text[at:]), int(n))
		at += int(n)
	}
	if d.err == nil && at != len(text) {
		d.fail("interned text longer than its strings")
	}
	return out
}

func members(d *decoder) memberWindows {
	m := memberWindows{keys: view[uint64](d), off: view[uint32](d), ws: view[Window](d), from: view[uint64](d)}
	if base := view[int32](d); d.err == nil && len(base) == 1 {
		m.base = base[0]
	} else {
		d.fail("membership windows")
	}
	return m
}

// check verifies that the loaded arrays fit together: kind ranges, id
// offsets, per-kind array lengths and every CSR's offsets.
func (p *Projection) check() error {
	n := int32(p.ids.len())
	if len(p.ids.off) == 0 || p.base[0] != 0 || p.base[numKinds] != n {
		return fmt.Errorf("%d ids for kind bases %v", n, p.base)
	}
	for k := range numKinds {
		if p.base[k] > p.base[k+1] {
			return fmt.Errorf("kind bases %v", p.base)
		}
	}
	// The offsets are read whole below: ask for them all at once (in a
	// store's mapped file, read on first touch page by page otherwise).
	graph.WillNeed(p.ids.off)
	for _, c := range p.csrs() {
		graph.WillNeed(c.Off)
	}
	if !monotone(p.ids.off) || int(p.ids.off[n]) != len(p.ids.buf) {
		return fmt.Errorf("id offsets")
	}
	count := func(k Kind) int { return int(p.base[k+1] - p.base[k]) }
	res, ids := count(Resource), count(Identity)
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"resource parents", len(p.resParent), res}, {"resource systems", len(p.resSystem), res},
		{"resource kinds", len(p.resKind), res}, {"sox flags", len(p.sox), count(System) + res},
		{"identity types", len(p.identType), ids}, {"identity states", len(p.active), ids},
		{"actors", len(p.actor), ids}, {"credentials", len(p.Creds), count(Credential)},
	} {
		if c.got != c.want {
			return fmt.Errorf("%d %s, want %d", c.got, c.what, c.want)
		}
	}
	for i, c := range p.csrs() {
		if len(c.Off) == 0 || !monotone(c.Off) || int(c.Off[len(c.Off)-1]) != len(c.Adj) {
			return fmt.Errorf("adjacency %d: offsets", i)
		}
	}
	if err := p.grantWin.check("grant windows", len(p.Grants)); err != nil {
		return err
	}
	if err := p.delegWin.check("delegation windows", len(p.Delegs)); err != nil {
		return err
	}
	if err := p.credFrom.check("credential valid_from", len(p.Creds)); err != nil {
		return err
	}
	if err := p.members.check(); err != nil {
		return err
	}
	withFrom := 0
	for ci := range p.Creds {
		if p.Creds[ci].validFrom {
			if _, ok := p.credFrom.get(int32(ci)); !ok {
				return fmt.Errorf("credential %d: valid_from missing", ci)
			}
			withFrom++
		}
	}
	if withFrom != p.credFrom.len() {
		return fmt.Errorf("%d credential valid_from instants for %d credentials that have one", p.credFrom.len(), withFrom)
	}
	return nil
}

func monotone(off []uint32) bool {
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return false
		}
	}
	return true
}
