package projection

import (
	"hash/maphash"
	"unsafe"
)

// idTable stores every node id once in one byte buffer and finds them with an
// open-addressing hash table of node numbers: about 4 bytes of offset, the id's
// bytes and 8 bytes of table per node, against ~80 for a []string plus a
// map[string]int32.
type idTable struct {
	buf   []byte
	off   []uint32 // node n's id is buf[off[n]:off[n+1]]
	slots []int32  // node+1, 0 = empty
	fp    []uint8  // per slot: 8 bits of the id's hash, so most probes never touch buf
	seed  maphash.Seed
}

func newIDTable(expect int) *idTable {
	t := &idTable{off: []uint32{0}, seed: maphash.MakeSeed()}
	t.grow(max(expect*4/3+1, 16))
	return t
}

func (t *idTable) len() int { return len(t.off) - 1 }

// id returns node n's id as a string that shares the table's buffer (ids are
// never modified once added, and growing the buffer leaves old strings valid).
func (t *idTable) id(n int32) string {
	b := t.buf[t.off[n]:t.off[n+1]]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (t *idTable) hash(s string) uint64 { return maphash.String(t.seed, s) }

func fingerprint(h uint64) uint8 { return uint8(h >> 56) }

// lookup returns the node with id s.
func (t *idTable) lookup(s string) (int32, bool) {
	mask := uint64(len(t.slots) - 1)
	h := t.hash(s)
	f := fingerprint(h)
	for i := h & mask; ; i = (i + 1) & mask {
		v := t.slots[i]
		if v == 0 {
			return 0, false
		}
		if t.fp[i] == f && t.id(v-1) == s {
			return v - 1, true
		}
	}
}

// add appends s as the next node; it returns false when s exists already.
func (t *idTable) add(s string) (int32, bool) {
	if 4*(t.len()+1) > 3*len(t.slots) { // load factor ≤ 0.75
		t.grow(2 * len(t.slots))
	}
	mask := uint64(len(t.slots) - 1)
	h := t.hash(s)
	f := fingerprint(h)
	i := h & mask
	for ; t.slots[i] != 0; i = (i + 1) & mask {
		if t.fp[i] == f && t.id(t.slots[i]-1) == s {
			return t.slots[i] - 1, false
		}
	}
	n := int32(t.len())
	t.buf = append(t.buf, s...)
	t.off = append(t.off, uint32(len(t.buf)))
	t.slots[i] = n + 1
	t.fp[i] = f
	return n, true
}

func (t *idTable) grow(size int) {
	p := 16
	for p < size {
		p *= 2
	}
	t.slots = make([]int32, p)
	t.fp = make([]uint8, p)
	mask := uint64(p - 1)
	for n := range int32(t.len()) {
		h := t.hash(t.id(n))
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = n + 1
		t.fp[i] = fingerprint(h)
	}
}

func (t *idTable) bytes() int { return len(t.buf) + 4*len(t.off) + 5*len(t.slots) }

// idRange indexes the ids of one contiguous range of nodes (the targets of
// one reference field, such as grant resources: systems and resources) in a
// table of its own, sharing the idTable's buffer. It is much smaller than the
// whole table, so the lookups that dominate a build (one per edge) stay in
// cache.
type idRange struct {
	t      *idTable
	lo, hi int32
	slots  []int32 // node+1, 0 = empty
	fp     []uint8
}

func (r *idRange) contains(n int32) bool { return n >= r.lo && n < r.hi }

func (t *idTable) index(lo, hi int32) *idRange {
	p := 16
	for p < int(hi-lo)*4/3+1 {
		p *= 2
	}
	r := &idRange{t: t, lo: lo, hi: hi, slots: make([]int32, p), fp: make([]uint8, p)}
	mask := uint64(p - 1)
	for n := lo; n < hi; n++ {
		h := t.hash(t.id(n))
		i := h & mask
		for r.slots[i] != 0 {
			i = (i + 1) & mask
		}
		r.slots[i] = n + 1
		r.fp[i] = fingerprint(h)
	}
	return r
}

// lookup returns the node of the range with id s.
func (r *idRange) lookup(s string) (int32, bool) {
	mask := uint64(len(r.slots) - 1)
	h := r.t.hash(s)
	f := fingerprint(h)
	for i := h & mask; ; i = (i + 1) & mask {
		v := r.slots[i]
		if v == 0 {
			return 0, false
		}
		if r.fp[i] == f && r.t.id(v-1) == s {
			return v - 1, true
		}
	}
}
