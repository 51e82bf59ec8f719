package reach

import (
	"slices"
	"sync"
)

// hopKind is how a search step moved; the path renderer turns it into hops.
type hopKind uint8

const (
	hopNone       hopKind = iota
	hopMember             // MEMBER_OF
	hopDeleg              // CAN_ACT_AS, ref = delegation
	hopGrantEnd           // the final GRANT, ref = grant
	hopReadStored         // GRANT read on a secret location (or above it) and STORED_IN: ref = grant, ref2 = credential
	hopStored             // STORED_IN alone (rendering only), ref = credential
	hopCredOf             // HAS_CREDENTIAL, ref = credential
	hopExpose             // a whole exposure in state searches: ref = credential, ref2 = grant
)

// step records how a node was reached: the neighbour it came from (forward
// searches) or leads to (backward searches), and the edge used.
type step struct {
	nxt       int32
	kind      hopKind
	ref, ref2 int32
}

// scratch is per-query node-indexed state, reused across queries through a
// pool; a generation stamp makes clearing O(1).
type scratch struct {
	gen   uint32
	stamp []uint32
	dist  []int32
	via   []step
	// touched lists the nodes stamped in this generation, in the order
	// they were first reached.
	touched []int32
	// ties, when set, makes relax keep in alt every other step that reaches
	// a node at its shortest distance, so that all shortest paths can be
	// enumerated afterwards (alternates.go). Off for every other search.
	ties bool
	alt  map[int32][]step
	// altEnd keeps, per (resource, action) key of a forward search with
	// ties, the other final grants reaching it at the shortest distance.
	altEnd map[skey][]best
}

func (s *scratch) reset(n int) {
	if len(s.stamp) != n {
		s.stamp = make([]uint32, n)
		s.dist = make([]int32, n)
		s.via = make([]step, n)
		s.gen = 0
	}
	s.gen++
	s.touched = s.touched[:0]
	s.ties = false
	clear(s.alt)
	clear(s.altEnd)
	if s.gen == 0 { // wrapped: clear for real
		clear(s.stamp)
		s.gen = 1
	}
}

func (s *scratch) seen(n int32) bool { return s.stamp[n] == s.gen }

// relax records n at distance d via st when that improves on what is known.
func (s *scratch) relax(n int32, d int32, st step) bool {
	if s.stamp[n] == s.gen {
		if s.dist[n] < d {
			return false
		}
		if s.dist[n] == d {
			if s.ties {
				s.addTie(n, st)
			}
			return false
		}
		if s.ties {
			delete(s.alt, n) // a shorter way: the old ties are not shortest
		}
	} else {
		s.touched = append(s.touched, n)
	}
	s.stamp[n] = s.gen
	s.dist[n] = d
	s.via[n] = st
	return true
}

// trackTies makes this search keep every shortest step (see ties).
func (s *scratch) trackTies() {
	s.ties = true
	if s.alt == nil {
		s.alt, s.altEnd = map[int32][]step{}, map[skey][]best{}
	}
}

// altEndsIf is altEnd when ties are kept, else nil.
func (s *scratch) altEndsIf() map[skey][]best {
	if s.ties {
		return s.altEnd
	}
	return nil
}

// addTie keeps st as another shortest step to n, once.
func (s *scratch) addTie(n int32, st step) { keepTie(s.alt, n, s.via[n], st) }

// keepTie adds v to alt[k], the other shortest ways to k, unless it is
// first (the way kept) or there already.
func keepTie[K, V comparable](alt map[K][]V, k K, first, v V) {
	if v != first && !slices.Contains(alt[k], v) {
		alt[k] = append(alt[k], v)
	}
}

// shortest is a way to a (resource, action) key with its distance.
type shortest interface {
	comparable
	length() int32
}

// recordShortest keeps b as the way to key k in out when it is shorter than
// the one there, and, when alt is not nil, as another way when it is as
// short.
func recordShortest[B shortest](out map[skey]B, alt map[skey][]B, k skey, b B) {
	old, ok := out[k]
	switch {
	case !ok || b.length() < old.length():
		out[k] = b
		if alt != nil {
			delete(alt, k)
		}
	case alt != nil && b.length() == old.length():
		keepTie(alt, k, old, b)
	}
}

type scratchPool struct{ p sync.Pool }

func (sp *scratchPool) get(n int) *scratch {
	s, _ := sp.p.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	s.reset(n)
	return s
}

func (sp *scratchPool) put(s *scratch) { sp.p.Put(s) }
