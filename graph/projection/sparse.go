package projection

import (
	"fmt"
	"math/bits"
)

// sparse holds a value for a few of a dense range of indexes (the windowed
// grants, say) and finds it in constant time: one bit per index, the number
// of set bits before each 64-bit word, and the values in index order. Unlike
// a map it is three flat arrays, which the stored form keeps as they lie, so
// loading it costs nothing.
type sparse[V any] struct {
	bits []uint64
	rank []uint32 // rank[w]: set bits in bits[:w]
	vals []V
}

// set gives index i the value v; indexes must be set in increasing order.
func (s *sparse[V]) set(i int32, v V) {
	w := int(i / 64)
	for len(s.bits) <= w {
		s.bits = append(s.bits, 0)
		s.rank = append(s.rank, uint32(len(s.vals)))
	}
	s.bits[w] |= 1 << (i % 64)
	s.vals = append(s.vals, v)
}

// get returns index i's value, and false when it has none.
func (s *sparse[V]) get(i int32) (V, bool) {
	w := int(i / 64)
	if i < 0 || w >= len(s.bits) || s.bits[w]&(1<<(i%64)) == 0 {
		var zero V
		return zero, false
	}
	return s.vals[s.rank[w]+uint32(bits.OnesCount64(s.bits[w]&(1<<(i%64)-1)))], true
}

func (s *sparse[V]) len() int { return len(s.vals) }

func (s *sparse[V]) bytes(valSize int) int {
	return 8*len(s.bits) + 4*len(s.rank) + valSize*len(s.vals)
}

// check verifies that the arrays fit together (for a stored form) and that
// no index is n or more.
func (s *sparse[V]) check(what string, n int) error {
	if len(s.rank) != len(s.bits) || len(s.bits) > (n+63)/64 {
		return fmt.Errorf("%s: %d words of bits, %d ranks, for %d items", what, len(s.bits), len(s.rank), n)
	}
	count := uint32(0)
	for w, word := range s.bits {
		if s.rank[w] != count {
			return fmt.Errorf("%s: rank of word %d", what, w)
		}
		count += uint32(bits.OnesCount64(word))
	}
	if int(count) != len(s.vals) {
		return fmt.Errorf("%s: %d values for %d indexes", what, len(s.vals), count)
	}
	if w := len(s.bits) - 1; w >= 0 && n%64 != 0 && w == n/64 && s.bits[w]>>(n%64) != 0 {
		return fmt.Errorf("%s: an index past the last item", what)
	}
	return nil
}

func putSparse[V any](e *encoder, s *sparse[V]) {
	put(e, s.bits)
	put(e, s.rank)
	put(e, s.vals)
}

func loadSparse[V any](d *decoder) sparse[V] {
	return sparse[V]{bits: view[uint64](d), rank: view[uint32](d), vals: view[V](d)}
}
