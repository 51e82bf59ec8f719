package reach

import (
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
)

// All shortest paths.
//
// A search with ties kept records, besides the first step that reached each
// node (or state) at its shortest distance, every other step that reached it
// at that same distance, and every other final grant that reached a
// (resource, action) key at its shortest distance. Those steps form a DAG of
// exactly the shortest paths (a step always comes from a node settled
// strictly closer to the origin), so walking it back from each end lists
// every shortest path, the search's own first (the evidence Reach shows)
// before the others.
//
// Which of several equally short paths the search meets first depends on the
// order of the adjacency lists, that is on the order records were ingested.
// Listing them all (up to a limit) makes what a predicate over "a path" sees
// independent of that order.

// tieSearch is a search with ties kept, read backwards from one node or
// state k: step(k, i) is the i-th shortest step into k (0 is the one the
// search met first) with where it comes from and the move it makes, or
// origin set (and the origin's seed credential, state searches only) when k
// is where the search started; ok is false past the last step.
type tieSearch[K comparable] interface {
	step(k K, i int) (prev K, m move, origin bool, cred int32, ok bool)
}

func (sc *scratch) step(v int32, i int) (int32, move, bool, int32, bool) {
	st := sc.via[v]
	if i > 0 {
		alts := sc.alt[v]
		if i > len(alts) {
			return 0, move{}, false, 0, false
		}
		st = alts[i-1]
	}
	m := move{from: st.nxt, to: v, kind: st.kind, ref: st.ref, ref2: st.ref2}
	return st.nxt, m, st.kind == hopNone, -1, true
}

func (s *stateSearch) step(k skey, i int) (skey, move, bool, int32, bool) {
	st := s.via[k]
	if i > 0 {
		alts := s.alt[k]
		if i > len(alts) {
			return 0, move{}, false, 0, false
		}
		st = alts[i-1]
	}
	m := move{from: st.nxt.node(), to: k.node(), kind: st.kind, ref: st.ref, ref2: st.ref2}
	return st.nxt, m, st.kind == hopNone, st.ref, true // a seed's ref is the origin's credential
}

// chains calls fn with every chain of moves from the origin of s to end
// (forward order) and the chain's seed credential, the search's first chain
// first, until fn returns false; it reports whether fn always returned true.
func chains[K comparable](s tieSearch[K], end K, fn func([]move, int32) bool) bool {
	var rev []move
	var walk func(k K) bool
	walk = func(k K) bool {
		for i := 0; ; i++ {
			prev, m, origin, cred, ok := s.step(k, i)
			switch {
			case !ok:
				return true
			case origin:
				if !fn(reversed(rev), cred) {
					return false
				}
			default:
				rev = append(rev, m)
				ok = walk(prev)
				rev = rev[:len(rev)-1]
				if !ok {
					return false
				}
			}
		}
	}
	return walk(end)
}

// chainTies reports whether a node or state on the search's first chain to
// end was reached another shortest way too (another seed included).
func chainTies[K comparable](s tieSearch[K], end K) bool {
	for k := end; ; {
		if _, _, _, _, more := s.step(k, 1); more {
			return true
		}
		prev, _, origin, _, _ := s.step(k, 0)
		if origin {
			return false
		}
		k = prev
	}
}

// reversed returns a reversed copy of rev, with room for the final grant.
func reversed(rev []move) []move {
	out := make([]move, len(rev), len(rev)+1)
	for i, m := range rev {
		out[len(rev)-1-i] = m
	}
	return out
}

// alternates collects up to limit shortest paths of one access other than
// its evidence (first), deduplicated and sorted by content; capped reports
// that there were more.
type alternates struct {
	limit  int
	first  analysis.Alternate // the evidence
	key    []byte             // the evidence's key, once needed
	buf    []byte
	seen   map[string]int // key → index in out
	out    []analysis.Alternate
	keys   []string
	capped bool
}

func newAlternates(limit int, first analysis.Path, au *analysis.Authentication) *alternates {
	return &alternates{limit: limit, first: analysis.Alternate{Path: first, Authentication: au}}
}

// add keeps one more path; it returns false once the limit is passed.
func (al *alternates) add(p analysis.Path, au *analysis.Authentication) bool {
	if al.key == nil {
		al.key = appendPathKey(nil, al.first.Path, al.first.Authentication)
	}
	al.buf = appendPathKey(al.buf[:0], p, au)
	if string(al.buf) == string(al.key) {
		return true // another walk that reads the same (parallel records)
	}
	if _, dup := al.seen[string(al.buf)]; dup {
		return true
	}
	if len(al.out) == al.limit {
		al.capped = true
		return false
	}
	k := string(al.buf)
	if al.seen == nil {
		al.seen = map[string]int{}
	}
	al.seen[k] = len(al.out)
	al.out = append(al.out, analysis.Alternate{Path: p, Authentication: au})
	al.keys = append(al.keys, k)
	return true
}

// fill sorts what was collected by content and puts it on acc.
func (al *alternates) fill(acc *analysis.Access) {
	acc.AlternatesCapped = al.capped
	if len(al.out) == 0 {
		return
	}
	if len(al.out) > 1 {
		idx := make([]int, len(al.out))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return strings.Compare(al.keys[a], al.keys[b]) })
		sorted := make([]analysis.Alternate, len(idx))
		for i, j := range idx {
			sorted[i] = al.out[j]
		}
		al.out = sorted
	}
	acc.Alternates = al.out
}

// appendPathKey appends a path and its authentication to b as one
// comparable key: every field a hop is rendered with, so two keys are equal
// exactly when the paths read the same.
func appendPathKey(b []byte, p analysis.Path, au *analysis.Authentication) []byte {
	for _, h := range p {
		for _, s := range [...]string{h.From, string(h.Edge), h.To, string(h.Action), h.Native, string(h.Kind), h.System} {
			b = append(append(b, s...), 0)
		}
		if h.Conditional {
			b = append(b, 'c')
		}
		b = appendTime(b, h.ValidFrom)
		b = append(appendTime(b, h.ExpiresAt), 1)
	}
	if au != nil {
		b = append(b, 2)
		for _, s := range [...]string{au.System, au.Via, au.Credential, au.Delegation} {
			b = append(append(b, s...), 0)
		}
	}
	return b
}

// appendTime appends t as twelve bytes that sort as the times do.
func appendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix())^1<<63)
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// authAlternates lists the other shortest authorization paths to one key of
// a forward search with ties (sc), whose first end is b.
//
// They depend only on the key's ends (the principals and grants that reach
// it at its shortest distance, b first), not on the resource: every
// resource a grant on a system covers has the same ones. seen keeps them by
// ends for one search, so they are listed once and shared, read-only.
func (e *Engine) authAlternates(sc *scratch, k skey, b best, acc *analysis.Access, limit int, seen map[string]authAlts) {
	ends := append([]best{b}, sc.altEnd[k]...)
	if len(ends) == 1 && (len(sc.alt) == 0 || !chainTies[int32](sc, b.via)) {
		return
	}
	key := make([]byte, 0, 8*len(ends))
	for _, end := range ends {
		key = binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(key, uint32(end.via)), uint32(end.grant))
	}
	if done, ok := seen[string(key)]; ok {
		acc.Alternates, acc.AlternatesCapped = done.alts, done.capped
		return
	}
	defer func() { seen[string(key)] = authAlts{acc.Alternates, acc.AlternatesCapped} }()
	al := newAlternates(limit, acc.Paths[0], nil)
	evidence := true // the first chain to the first end is the evidence
	for _, end := range ends {
		ok := chains[int32](sc, end.via, func(moves []move, _ int32) bool {
			if evidence {
				evidence = false
				return true
			}
			moves = append(moves, move{from: end.via, kind: hopGrantEnd, ref: end.grant})
			return al.add(e.movesPath(moves), nil)
		})
		if !ok {
			break
		}
	}
	al.fill(acc)
}

// authAlts is what authAlternates put on an access.
type authAlts struct {
	alts   []analysis.Alternate
	capped bool
}

// effectiveAlternates lists the other shortest walkable paths to one key of
// a state search with ties, whose first end is b, each with the
// authentication it is exercised with.
func (e *Engine) effectiveAlternates(s *stateSearch, alt []effBest, b effBest, r int32, acc *analysis.Access, limit int) {
	if len(alt) == 0 && (len(s.alt) == 0 || !chainTies[skey](s, b.state)) {
		return
	}
	al := newAlternates(limit, acc.Paths[0], acc.Authentication)
	sys := e.p.SystemOf(r)
	evidence := true // the first chain to the first end is the evidence
	for _, end := range append([]effBest{b}, alt...) {
		ok := chains[skey](s, end.state, func(moves []move, cred int32) bool {
			if evidence {
				evidence = false
				return true
			}
			moves = append(moves, move{from: end.state.node(), kind: hopGrantEnd, ref: end.grant})
			return al.add(e.movesPath(moves), e.authentication(sys, cred, moves))
		})
		if !ok {
			break
		}
	}
	al.fill(acc)
}
