package reach

// allSystems is the session "in every system" that a credential accepted
// everywhere (empty systems) gives; only forward searches use it.
const allSystems int32 = -2

// skey packs a (principal, system) search state.
type skey uint64

func key(v, sys int32) skey { return skey(uint64(uint32(v))<<32 | uint64(uint32(sys))) }

func (k skey) node() int32 { return int32(uint32(k >> 32)) }
func (k skey) sys() int32  { return int32(uint32(k)) }

// sstep records how a state was reached: the neighbouring state and the move.
type sstep struct {
	nxt       skey
	kind      hopKind
	ref, ref2 int32
	dist      int32
}

// stateSearch is the bookkeeping of one state search.
type stateSearch struct {
	via map[skey]sstep
	q   dial[skey]
	// alt, when not nil, keeps every other step that reaches a state at its
	// shortest distance (all shortest walks, alternates.go).
	alt map[skey][]sstep
}

func newStateSearch() *stateSearch { return &stateSearch{via: make(map[skey]sstep)} }

func (s *stateSearch) push(k skey, d int32, st sstep) {
	st.dist = d
	if old, ok := s.via[k]; ok {
		if old.dist < d {
			return
		}
		if old.dist == d {
			if s.alt != nil {
				keepTie(s.alt, k, old, st)
			}
			return
		}
		if s.alt != nil {
			delete(s.alt, k) // a shorter way: the old ties are not shortest
		}
	}
	s.via[k] = st
	s.q.push(d, k)
}

// pop returns the next settled state, skipping stale queue entries.
func (s *stateSearch) pop() (skey, int32, bool) {
	for {
		k, d, ok := s.q.pop()
		if !ok {
			return 0, 0, false
		}
		if s.via[k].dist == d {
			return k, d, true
		}
	}
}

// sessionOK reports whether a state's session covers system sys.
func sessionOK(state, sys int32) bool { return state == allSystems || state == sys }
