package reach

import (
	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// hops renders one search step from node `from` to node `to` as evidence hops.
// ref and ref2 are the step's grant, delegation or credential indexes.
func (e *Engine) hops(path analysis.Path, from, to int32, kind hopKind, ref, ref2 int32) analysis.Path {
	p := e.p
	switch kind {
	case hopMember:
		h := analysis.Hop{From: p.ID(from), Edge: schema.EdgeMemberOf, To: p.ID(to)}
		w := p.MemberWindow(from, to, e.asOf)
		if native, nw, ok := p.MemberNative(from, to, e.asOf); ok {
			h.Native, w = native, nw // the window of the record whose text is shown
		}
		setWindow(&h, w)
		path = append(path, h)
	case hopDeleg:
		d := &p.Delegs[ref]
		h := analysis.Hop{From: p.ID(d.From), Edge: schema.EdgeCanActAs, To: p.ID(d.To), Kind: p.DelegKind(ref),
			Native: p.DelegNative(ref)}
		if d.System != projection.None {
			h.System = p.ID(d.System)
		}
		setWindow(&h, p.DelegWindow(ref))
		path = append(path, h)
	case hopGrantEnd:
		path = append(path, e.grantHop(ref))
	case hopReadStored:
		path = append(path, e.grantHop(ref))
		path = e.hops(path, 0, 0, hopStored, ref2, 0)
	case hopStored:
		c := &p.Creds[ref]
		path = append(path, analysis.Hop{From: p.ID(c.StoredIn), Edge: schema.EdgeStoredIn, To: p.ID(p.CredNode(ref))})
	case hopCredOf:
		c := &p.Creds[ref]
		path = append(path, analysis.Hop{From: p.ID(p.CredNode(ref)), Edge: schema.EdgeHasCredential, To: p.ID(c.Owner)})
	case hopExpose:
		path = append(path, e.grantHop(ref2))
		path = e.hops(path, 0, 0, hopStored, ref, 0)
		path = e.hops(path, 0, 0, hopCredOf, ref, 0)
	}
	return path
}

// hopCount is the number of evidence hops one search step renders as.
func hopCount(k hopKind) int {
	switch k {
	case hopReadStored:
		return 2
	case hopExpose:
		return 3
	}
	return 1
}

func (e *Engine) grantHop(gi int32) analysis.Hop {
	g := &e.p.Grants[gi]
	h := analysis.Hop{From: e.p.ID(g.Principal), Edge: schema.EdgeGrant, To: e.p.ID(g.Target),
		Action: e.p.GrantAction(gi), Native: e.p.GrantNative(gi), Conditional: g.Conditional()}
	setWindow(&h, e.p.GrantWindow(gi))
	return h
}

// setWindow puts an edge's validity window on its evidence hop.
func setWindow(h *analysis.Hop, w projection.Window) {
	h.ValidFrom, h.ExpiresAt = projection.Time(w.From), projection.Time(w.Until)
}

// backwardPath renders the path from x found by a backward search: each node's
// step leads towards the grant.
func (e *Engine) backwardPath(sc *scratch, x int32) analysis.Path {
	return e.backwardPathIn(make(analysis.Path, 0, backwardHops(sc, x)), sc, x)
}

// backwardHops is the number of hops of backwardPath(sc, x).
func backwardHops(sc *scratch, x int32) int {
	n := 1
	for v := x; sc.via[v].kind != hopGrantEnd; v = sc.via[v].nxt {
		n += hopCount(sc.via[v].kind)
	}
	return n
}

// backwardPathIn appends backwardPath(sc, x) to path.
func (e *Engine) backwardPathIn(path analysis.Path, sc *scratch, x int32) analysis.Path {
	for v := x; ; {
		st := sc.via[v]
		path = e.hops(path, v, st.nxt, st.kind, st.ref, st.ref2)
		if st.kind == hopGrantEnd {
			return path
		}
		v = st.nxt
	}
}

// pathSlab hands out the one-path evidence lists of an answer from two
// blocks sized for the whole answer, instead of two allocations a row (the
// path and its list): most of a million-row `whocan --kind`'s time after
// the search was spent allocating them. A row's path has exactly the
// capacity of its hops, so nothing appended to one can reach another.
type pathSlab struct {
	hops  analysis.Path
	lists []analysis.Path
}

func newPathSlab(hops, rows int) pathSlab {
	return pathSlab{hops: make(analysis.Path, hops), lists: make([]analysis.Path, rows)}
}

// empty returns an empty path with room for n hops.
func (s *pathSlab) empty(n int) analysis.Path {
	if n > len(s.hops) { // not sized for it: never in the callers, but safe
		return make(analysis.Path, 0, n)
	}
	p := s.hops[:0:n]
	s.hops = s.hops[n:]
	return p
}

// one returns the evidence list holding only p.
func (s *pathSlab) one(p analysis.Path) []analysis.Path {
	if len(s.lists) == 0 {
		return []analysis.Path{p}
	}
	l := s.lists[:1:1]
	s.lists = s.lists[1:]
	l[0] = p
	return l
}

// forwardPath renders the path from the search origin to node n of a forward
// search (each node's step points back towards the origin), then the grant gi.
func (e *Engine) forwardPath(sc *scratch, n int32, gi int32) analysis.Path {
	var buf [16]int32
	rev := buf[:0]
	hops := 1
	for v := n; sc.via[v].kind != hopNone; v = sc.via[v].nxt {
		rev = append(rev, v)
		hops += hopCount(sc.via[v].kind)
	}
	path := make(analysis.Path, 0, hops)
	for i := len(rev) - 1; i >= 0; i-- {
		v := rev[i]
		st := sc.via[v]
		path = e.hops(path, st.nxt, v, st.kind, st.ref, st.ref2)
	}
	return e.hops(path, n, 0, hopGrantEnd, gi, 0)
}

// authentication builds the session evidence (R6) of an effective access from
// the moves of its walkable chain, in forward order: the origin's credential
// starts the session; an exposure replaces it with the exposed credential; a
// delegation naming a system creates a new session in that system; a
// delegation without a system carries the current one.
func (e *Engine) authentication(sys int32, seedCred int32, moves []move) *analysis.Authentication {
	p := e.p
	cred, deleg := seedCred, int32(-1)
	for _, m := range moves {
		switch m.kind {
		case hopExpose:
			cred, deleg = m.ref, -1
		case hopDeleg:
			if p.Delegs[m.ref].System != projection.None {
				deleg = m.ref
			}
		}
	}
	a := &analysis.Authentication{System: p.ID(sys)}
	if deleg >= 0 {
		d := &p.Delegs[deleg]
		a.Via = "delegation"
		a.Delegation = p.ID(d.From) + " -> " + p.ID(d.To)
		return a
	}
	c := &p.Creds[cred]
	a.Via = "credential"
	a.Credential = p.ID(p.CredNode(cred))
	a.CredentialType = p.CredType(cred)
	if c.Expires != projection.NoTime {
		t := projection.Time(c.Expires)
		a.ExpiresAt = &t
	}
	if c.LastRotated != projection.NoTime {
		t := projection.Time(c.LastRotated)
		a.LastRotatedAt = &t
	}
	return a
}

// move is one step of a walkable chain in forward order.
type move struct {
	from, to  int32
	kind      hopKind
	ref, ref2 int32
}

func (e *Engine) movesPath(moves []move) analysis.Path {
	return e.movesPathIn(make(analysis.Path, 0, movesHops(moves)), moves)
}

// movesHops is the number of hops of movesPath(moves).
func movesHops(moves []move) int {
	n := 0
	for _, m := range moves {
		n += hopCount(m.kind)
	}
	return n
}

// movesPathIn appends movesPath(moves) to path.
func (e *Engine) movesPathIn(path analysis.Path, moves []move) analysis.Path {
	for _, m := range moves {
		path = e.hops(path, m.from, m.to, m.kind, m.ref, m.ref2)
	}
	return path
}
