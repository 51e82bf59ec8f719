package projection

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// idTable stores every node id once in one byte buffer and finds them with an
// open-addressing hash table of node numbers: about 4 bytes of offset, the id's
// bytes and 8 bytes of table per node, against ~80 for a []string plus a
// map[string]int32.
//
// A table loaded from the stored form (Load) has no hash table at first: its
// hash is seeded per process, and placing a million ids costs more than a
// cold query. It answers by binary search over the stored id order (sorted)
// until lookupsBeforeIndex lookups have been made, then builds the hash
// table once (lazy) and uses it from then on.
type idTable struct {
	buf []byte
	off []uint32 // node n's id is buf[off[n]:off[n+1]]
	slotTable
	seed maphash.Seed
	// sorted lists the nodes in id order (bytewise); set by Load.
	sorted []int32
	// lazy is set by Load: the hash table is built on demand.
	lazy *lazySlots
	// borrowed is set by LoadParts: buf lies in memory the projection does
	// not own (a store's mapped file), so ids handed out are copies.
	borrowed bool
}

// lookupsBeforeIndex is how many lookups a loaded table of n ids answers
// by binary search before it builds its hash table: a search costs about
// log2(n) id comparisons, building the table about one placement per id,
// each a cache miss of the same order, so searching until about n/8 lookups
// never costs much more than having built the table at once (and a cold
// question, with a handful of lookups, never builds it).
func lookupsBeforeIndex(n int) int64 { return max(4096, int64(n)/8) }

// lazySlots is the hash table of a loaded idTable, built after
// lookupsBeforeIndex lookups.
type lazySlots struct {
	lookups atomic.Int64
	once    sync.Once
	table   atomic.Pointer[slotTable]

	rankOnce sync.Once
	rank     []int32 // node → its place in sorted
}

// slotTable is an open-addressing table of node numbers (linear probing)
// with 8 bits of each id's hash per slot, so most probes never touch the ids.
type slotTable struct {
	slots []int32 // node+1, 0 = empty
	fp    []uint8
}

// newSlotTable returns a table of a power-of-two size for n entries at a
// load factor of at most 0.75.
func newSlotTable(n int) slotTable {
	p := 16
	for p < n*4/3+1 {
		p *= 2
	}
	return slotTable{slots: make([]int32, p), fp: make([]uint8, p)}
}

// find returns the slot of id s (hash h) and its node, or the empty slot
// where it would go and ok false.
func (st *slotTable) find(t *idTable, h uint64, s string) (slot uint64, node int32, ok bool) {
	mask := uint64(len(st.slots) - 1)
	f := fingerprint(h)
	for i := h & mask; ; i = (i + 1) & mask {
		v := st.slots[i]
		if v == 0 {
			return i, 0, false
		}
		if st.fp[i] == f && t.id(v-1) == s {
			return i, v - 1, true
		}
	}
}

// place puts node n (whose id hashes to h) in its first free slot.
func (st *slotTable) place(h uint64, n int32) {
	mask := uint64(len(st.slots) - 1)
	i := h & mask
	for st.slots[i] != 0 {
		i = (i + 1) & mask
	}
	st.slots[i] = n + 1
	st.fp[i] = fingerprint(h)
}

func newIDTable(expect int) *idTable {
	t := &idTable{off: []uint32{0}, seed: maphash.MakeSeed()}
	t.slotTable = newSlotTable(expect)
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
	if t.lazy == nil {
		_, n, ok := t.find(t, t.hash(s), s)
		return n, ok
	}
	st := t.lazy.table.Load()
	if st == nil && t.lazy.lookups.Add(1) > lookupsBeforeIndex(t.len()) {
		t.lazy.once.Do(func() {
			table := newSlotTable(t.len())
			for n := range int32(t.len()) {
				table.place(t.hash(t.id(n)), n)
			}
			t.lazy.table.Store(&table)
		})
		st = t.lazy.table.Load()
	}
	if st != nil {
		_, n, ok := st.find(t, t.hash(s), s)
		return n, ok
	}
	i, ok := slices.BinarySearchFunc(t.sorted, s, func(n int32, s string) int { return strings.Compare(t.id(n), s) })
	if !ok {
		return 0, false
	}
	return t.sorted[i], true
}

// ranks returns each node's place in id order, nil for a table that was
// built rather than loaded (it has no stored order; see sortByID).
func (t *idTable) ranks() []int32 {
	if t.lazy == nil {
		return nil
	}
	t.lazy.rankOnce.Do(func() {
		rank := make([]int32, len(t.sorted))
		for i, n := range t.sorted {
			rank[n] = int32(i)
		}
		t.lazy.rank = rank
	})
	return t.lazy.rank
}

// sortByID sorts nodes by id, bytewise: by rank when t has them (comparing
// two numbers instead of two strings), else by the ids themselves.
func (t *idTable) sortByID(ns []int32) {
	if r := t.ranks(); r != nil {
		slices.SortFunc(ns, func(a, b int32) int { return int(r[a]) - int(r[b]) })
		return
	}
	slices.SortFunc(ns, func(a, b int32) int { return strings.Compare(t.id(a), t.id(b)) })
}

// sortedIDs returns the nodes in id order: the stored order of a loaded
// table, else computed.
func (t *idTable) sortedIDs() []int32 {
	if t.sorted != nil {
		return t.sorted
	}
	sorted := make([]int32, t.len())
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(a, b int32) int { return strings.Compare(t.id(a), t.id(b)) })
	return sorted
}

// loaded makes t, read from the stored form with its id order sorted, answer
// lookups without a hash table until it is worth building one. It reports
// whether sorted is a permutation of t's nodes (the order itself is covered
// by the store's checksums: a wrong order can only miss an id, never crash).
func (t *idTable) loaded(sorted []int32) bool {
	n := t.len()
	if len(sorted) != n {
		return false
	}
	seen := make([]uint64, (n+63)/64)
	for _, v := range sorted {
		if v < 0 || int(v) >= n || seen[v/64]&(1<<(v%64)) != 0 {
			return false
		}
		seen[v/64] |= 1 << (v % 64)
	}
	t.sorted, t.lazy = sorted, &lazySlots{}
	return true
}

// add appends s as the next node; it returns false when s exists already.
func (t *idTable) add(s string) (int32, bool) {
	if 4*(t.len()+1) > 3*len(t.slots) { // load factor ≤ 0.75
		t.grow()
	}
	h := t.hash(s)
	i, n, ok := t.find(t, h, s)
	if ok {
		return n, false
	}
	n = int32(t.len())
	t.buf = append(t.buf, s...)
	t.off = append(t.off, uint32(len(t.buf)))
	t.slots[i] = n + 1
	t.fp[i] = fingerprint(h)
	return n, true
}

// grow doubles the table and places every node again.
func (t *idTable) grow() {
	t.slotTable = newSlotTable((2*len(t.slots) - 1) * 3 / 4) // exactly twice the slots
	for n := range int32(t.len()) {
		t.place(t.hash(t.id(n)), n)
	}
}

func (t *idTable) bytes() int {
	b := len(t.buf) + 4*len(t.off) + 5*len(t.slots) + 4*len(t.sorted)
	if t.lazy != nil {
		if st := t.lazy.table.Load(); st != nil {
			b += 5 * len(st.slots)
		}
	}
	return b
}

// idRange indexes the ids of one contiguous range of nodes (the targets of
// one reference field, such as grant resources: systems and resources) in a
// table of its own, sharing the idTable's buffer. It is much smaller than the
// whole table, so the lookups that dominate a build (one per edge) stay in
// cache.
type idRange struct {
	t      *idTable
	lo, hi int32
	slotTable
}

func (r *idRange) contains(n int32) bool { return n >= r.lo && n < r.hi }

func (t *idTable) index(lo, hi int32) *idRange {
	r := &idRange{t: t, lo: lo, hi: hi, slotTable: newSlotTable(int(hi - lo))}
	for n := lo; n < hi; n++ {
		r.place(t.hash(t.id(n)), n)
	}
	return r
}

// lookup returns the node of the range with id s.
func (r *idRange) lookup(s string) (int32, bool) {
	_, n, ok := r.find(r.t, r.t.hash(s), s)
	return n, ok
}
