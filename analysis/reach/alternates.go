package reach

import (
	"slices"
	"strings"

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

// authChains calls fn with every chain of moves from the origin of the
// forward search sc to node v, the search's first chain first, until fn
// returns false; it reports whether fn always returned true.
func (sc *scratch) authChains(v int32, fn func([]move) bool) bool {
	var rev []move
	var walk func(v int32) bool
	walk = func(v int32) bool {
		first := sc.via[v]
		alts := sc.alt[v]
		for i := -1; i < len(alts); i++ {
			st := first
			if i >= 0 {
				st = alts[i]
			}
			if st.kind == hopNone { // the origin
				if !fn(reversed(rev)) {
					return false
				}
				continue
			}
			rev = append(rev, move{from: st.nxt, to: v, kind: st.kind, ref: st.ref, ref2: st.ref2})
			ok := walk(st.nxt)
			rev = rev[:len(rev)-1]
			if !ok {
				return false
			}
		}
		return true
	}
	return walk(v)
}

// stateChains is authChains over a state search: fn also gets the origin
// credential that seeded the chain.
func (s *stateSearch) stateChains(k skey, fn func([]move, int32) bool) bool {
	var rev []move
	var walk func(k skey) bool
	walk = func(k skey) bool {
		first := s.via[k]
		alts := s.alt[k]
		for i := -1; i < len(alts); i++ {
			st := first
			if i >= 0 {
				st = alts[i]
			}
			if st.kind == hopNone { // a seed: st.ref is the origin's credential
				if !fn(reversed(rev), st.ref) {
					return false
				}
				continue
			}
			rev = append(rev, move{from: st.nxt.node(), to: k.node(), kind: st.kind, ref: st.ref, ref2: st.ref2})
			ok := walk(st.nxt)
			rev = rev[:len(rev)-1]
			if !ok {
				return false
			}
		}
		return true
	}
	return walk(k)
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
	first  string
	seen   map[string]bool
	out    []analysis.Alternate
	keys   []string
	capped bool
}

func newAlternates(limit int, first analysis.Path, au *analysis.Authentication) *alternates {
	return &alternates{limit: limit, first: pathKey(first, au), seen: map[string]bool{}}
}

// add keeps one more path; it returns false once the limit is passed.
func (al *alternates) add(p analysis.Path, au *analysis.Authentication) bool {
	k := pathKey(p, au)
	if k == al.first || al.seen[k] {
		return true
	}
	if len(al.out) == al.limit {
		al.capped = true
		return false
	}
	al.seen[k] = true
	al.out = append(al.out, analysis.Alternate{Path: p, Authentication: au})
	al.keys = append(al.keys, k)
	return true
}

// fill sorts what was collected by content and puts it on acc.
func (al *alternates) fill(acc *analysis.Access) {
	if len(al.out) == 0 && !al.capped {
		return
	}
	idx := make([]int, len(al.out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(al.keys[a], al.keys[b]) })
	acc.Alternates = make([]analysis.Alternate, len(idx))
	for i, j := range idx {
		acc.Alternates[i] = al.out[j]
	}
	acc.AlternatesCapped = al.capped
}

// pathKey is a path and its authentication as one comparable string: every
// field a hop is rendered with, so two keys are equal exactly when the
// paths read the same.
func pathKey(p analysis.Path, au *analysis.Authentication) string {
	var b strings.Builder
	for _, h := range p {
		for _, s := range [...]string{h.From, string(h.Edge), h.To, string(h.Action), h.Native, string(h.Kind), h.System} {
			b.WriteString(s)
			b.WriteByte(0)
		}
		if h.Conditional {
			b.WriteByte('c')
		}
		b.WriteString(h.ValidFrom.UTC().Format("20060102150405.999999999"))
		b.WriteByte(0)
		b.WriteString(h.ExpiresAt.UTC().Format("20060102150405.999999999"))
		b.WriteByte(1)
	}
	if au != nil {
		b.WriteByte(2)
		for _, s := range [...]string{au.System, au.Via, au.Credential, au.Delegation} {
			b.WriteString(s)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// authAlternates lists the other shortest authorization paths to one key of
// a forward search with ties (sc), whose first end is b.
func (e *Engine) authAlternates(sc *scratch, k skey, b best, acc *analysis.Access, limit int) {
	al := newAlternates(limit, acc.Paths[0], nil)
	ends := append([]best{b}, sc.altEnd[k]...)
	for _, end := range ends {
		ok := sc.authChains(end.via, func(moves []move) bool {
			moves = append(moves, move{from: end.via, kind: hopGrantEnd, ref: end.grant})
			return al.add(e.movesPath(moves), nil)
		})
		if !ok {
			break
		}
	}
	al.fill(acc)
}

// effectiveAlternates lists the other shortest walkable paths to one key of
// a state search with ties, whose first end is b, each with the
// authentication it is exercised with.
func (e *Engine) effectiveAlternates(s *stateSearch, alt []effBest, b effBest, r int32, acc *analysis.Access, limit int) {
	al := newAlternates(limit, acc.Paths[0], acc.Authentication)
	sys := e.p.SystemOf(r)
	for _, end := range append([]effBest{b}, alt...) {
		ok := s.stateChains(end.state, func(moves []move, cred int32) bool {
			moves = append(moves, move{from: end.state.node(), kind: hopGrantEnd, ref: end.grant})
			return al.add(e.movesPath(moves), e.authentication(sys, cred, moves))
		})
		if !ok {
			break
		}
	}
	al.fill(acc)
}
