package reach

import (
	"context"
	"slices"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// WhoCanQuery asks who can perform Action on a resource.
type WhoCanQuery struct {
	Action schema.Action
	// Resource is a resource or system id.
	Resource string
	// EffectiveOnly drops latent accesses.
	EffectiveOnly bool
}

// WhoCan returns every identity authorized (R4) for (q.Resource, q.Action), once
// each, sorted by identity id, with Effective set per R6, one shortest evidence
// path each (a walkable one when effective) and, when effective, the
// authentication used. Action is the one asked even when admin supplies it.
// It returns ErrUnknownNode when the resource does not exist, and ctx's
// error when ctx ends first.
func (e *Engine) WhoCan(ctx context.Context, q WhoCanQuery) ([]analysis.Access, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := e.resourceNode(q.Resource)
	if err != nil {
		return nil, err
	}
	if !q.Action.Valid() {
		return nil, &schema.EnumError{What: "action", Value: string(q.Action), Allowed: schema.Strings(schema.Actions)}
	}
	return e.whoCan(r, q.Action, q.EffectiveOnly), nil
}

// WhoCanKind answers WhoCan for every resource of the given kind (optionally
// only in system sys), sorted by resource id then identity id. It checks ctx
// between resources and returns ctx's error when ctx ends first.
func (e *Engine) WhoCanKind(ctx context.Context, kind, sys string, a schema.Action, effectiveOnly bool) ([]analysis.Access, error) {
	rs, err := e.KindResources(kind, sys)
	if err != nil {
		return nil, err
	}
	var out []analysis.Access
	for _, r := range rs {
		accs, err := e.WhoCan(ctx, WhoCanQuery{Resource: r, Action: a, EffectiveOnly: effectiveOnly})
		if err != nil {
			return nil, err
		}
		out = append(out, accs...)
	}
	return out, nil
}

// KindResources returns the ids of the resources of the given kind
// (optionally only in system sys), sorted. An unknown system is
// ErrUnknownNode; an unknown kind has no resources.
func (e *Engine) KindResources(kind, sys string) ([]string, error) {
	var sysNode int32 = projection.None
	if sys != "" {
		n, ok := e.p.Lookup(sys)
		if !ok || e.p.Kind(n) != projection.System {
			return nil, &unknownError{what: "system", id: sys}
		}
		sysNode = n
	}
	var out []string
	lo, hi := e.p.Range(projection.Resource)
	for n := lo; n < hi; n++ {
		if e.p.ResourceKind(n) == kind && (sysNode == projection.None || e.p.SystemOf(n) == sysNode) {
			out = append(out, e.p.ID(n))
		}
	}
	slices.Sort(out)
	return out, nil
}

func (e *Engine) whoCan(r int32, a schema.Action, effectiveOnly bool) []analysis.Access {
	seeds := e.seeds(r, a)
	eff := e.effectiveBackward(seeds)
	sc := e.pool().get(e.p.Len())
	defer e.pool().put(sc)
	authorized := e.authBackward(sc, seeds, nil)
	e.p.SortByID(authorized) // the answer's order, by identity id
	crit := e.critical(r, a)
	slab := slabFor(sc, authorized, eff, effectiveOnly)
	out := make([]analysis.Access, 0, len(authorized))
	for _, x := range authorized {
		acc := analysis.Access{Identity: e.p.ID(x), Resource: e.p.ID(r), Action: a, Authorized: true, Critical: crit,
			ResourceNode: r + 1}
		if w, ok := eff[x]; ok {
			acc.Effective = true
			acc.Paths = slab.one(e.movesPathIn(slab.empty(movesHops(w.moves)), w.moves))
			acc.Authentication = e.authentication(e.p.SystemOf(r), w.cred, w.moves)
		} else if effectiveOnly {
			continue
		} else {
			acc.Paths = slab.one(e.backwardPathIn(slab.empty(backwardHops(sc, x)), sc, x))
		}
		out = append(out, acc)
	}
	return out
}

// slabFor sizes the pathSlab of an answer: per authorized identity, its
// walkable chain's path when effective (eff), else its backward search's
// path in sc unless effectiveOnly.
func slabFor(sc *scratch, authorized []int32, eff map[int32]walk, effectiveOnly bool) pathSlab {
	hops, rows := 0, 0
	for _, x := range authorized {
		if w, ok := eff[x]; ok {
			hops += movesHops(w.moves)
		} else if effectiveOnly {
			continue
		} else {
			hops += backwardHops(sc, x)
		}
		rows++
	}
	return newPathSlab(hops, rows)
}

// seed is a grant a backward search starts from, and the system the
// grant's principal must hold a session in to use it (R6).
type seed struct{ gi, sys int32 }

// seeds are the live grants giving a on r, its ancestors or its system: where
// the backward searches for (r, a) start; each is used in r's system.
func (e *Engine) seeds(r int32, a schema.Action) []seed {
	var out []seed
	sys := e.p.SystemOf(r)
	for _, t := range e.covering(r) {
		for _, gi := range e.p.GrantIn.Of(t) {
			if e.grantGives(gi, a) {
				out = append(out, seed{gi: gi, sys: sys})
			}
		}
	}
	return out
}

// authBackward searches backwards from the seed grants and returns every
// identity that reaches one (R4). With keep, it only visits the nodes keep
// holds (those a forward search from one identity reached).
func (e *Engine) authBackward(sc *scratch, seeds []seed, keep func(int32) bool) []int32 {
	p := e.p
	var q dial[int32]
	push := func(n, d int32, st step) {
		if (keep == nil || keep(n)) && sc.relax(n, d, st) {
			q.push(d, n)
		}
	}
	for _, sd := range seeds {
		g := &p.Grants[sd.gi]
		push(g.Principal, 1, step{nxt: g.Target, kind: hopGrantEnd, ref: sd.gi})
	}
	var idents []int32
	for {
		v, d, ok := q.pop()
		if !ok {
			return idents
		}
		if sc.dist[v] != d {
			continue
		}
		switch p.Kind(v) {
		case projection.Identity:
			idents = append(idents, v)
			for _, di := range p.DelegIn.Of(v) {
				if e.delegLive(di) {
					push(p.Delegs[di].From, d+1, step{nxt: v, kind: hopDeleg, ref: di})
				}
			}
			for _, ci := range p.CredsOf.Of(v) {
				// A credential stored nowhere ends the search: no read
				// grant exposes it, so no search from an identity reaches
				// it, and it is left unvisited.
				if p.Creds[ci].StoredIn != projection.None {
					push(p.CredNode(ci), d+1, step{nxt: v, kind: hopCredOf, ref: ci})
				}
			}
			fallthrough
		case projection.Group:
			for _, m := range p.MemberIn.Of(v) {
				if e.memberLive(m, v) {
					push(m, d+1, step{nxt: v, kind: hopMember})
				}
			}
		case projection.Credential:
			ci := v - p.CredBase()
			for _, t := range e.covering(p.Creds[ci].StoredIn) {
				for _, gi := range p.GrantIn.Of(t) {
					if e.grantGives(gi, schema.ActionRead) {
						push(p.Grants[gi].Principal, d+2, step{nxt: v, kind: hopReadStored, ref: gi, ref2: ci})
					}
				}
			}
		}
	}
}

// walk is an effective chain found for one origin identity.
type walk struct {
	cred  int32 // the origin's own credential that starts the session
	moves []move
}

// effectiveBackward searches states (principal, system the principal's
// identity must hold a session in) backwards from the seed grants, and
// returns, per identity with effective access (R6), one shortest walkable
// chain.
func (e *Engine) effectiveBackward(seeds []seed) map[int32]walk {
	p := e.p
	s := newStateSearch()
	for _, sd := range seeds {
		s.push(key(p.Grants[sd.gi].Principal, sd.sys), 1, sstep{kind: hopGrantEnd, ref: sd.gi})
	}
	found := map[int32]walk{}
	for {
		k, d, ok := s.pop()
		if !ok {
			break
		}
		v, sys := k.node(), k.sys()
		if p.Kind(v) == projection.Identity {
			if _, done := found[v]; !done && p.Active(v) {
				if ci := e.ownSession(v, sys); ci >= 0 {
					found[v] = walk{cred: ci, moves: e.backwardMoves(s, k)}
				}
			}
			e.expandIdentityBackward(s, v, sys, d)
		}
		for _, m := range p.MemberIn.Of(v) {
			if e.memberLive(m, v) {
				s.push(key(m, sys), d+1, sstep{nxt: k, kind: hopMember})
			}
		}
	}
	return found
}

// expandIdentityBackward adds the predecessors of state (v, sys) over
// delegations into v and exposures of v's credentials.
func (e *Engine) expandIdentityBackward(s *stateSearch, v, sys, d int32) {
	p := e.p
	k := key(v, sys)
	if p.Active(v) {
		for _, di := range p.DelegIn.Of(v) {
			if ds := p.Delegs[di].System; (ds == projection.None || ds == sys) && e.delegLive(di) {
				s.push(key(p.Delegs[di].From, sys), d+1, sstep{nxt: k, kind: hopDeleg, ref: di})
			}
		}
	}
	for _, ci := range p.CredsOf.Of(v) {
		c := &p.Creds[ci]
		if c.StoredIn == projection.None || !e.credValid(ci) || !e.accepts(ci, sys) {
			continue
		}
		locSys := p.SystemOf(c.StoredIn)
		for _, t := range e.covering(c.StoredIn) {
			for _, gi := range p.GrantIn.Of(t) {
				if e.grantGives(gi, schema.ActionRead) {
					s.push(key(p.Grants[gi].Principal, locSys), d+3, sstep{nxt: k, kind: hopExpose, ref: ci, ref2: gi})
				}
			}
		}
	}
}

// ownSession returns a valid credential of v accepted by sys, or -1.
func (e *Engine) ownSession(v, sys int32) int32 {
	for _, ci := range e.p.CredsOf.Of(v) {
		if e.credValid(ci) && e.accepts(ci, sys) {
			return ci
		}
	}
	return -1
}

// backwardMoves lists the moves from state k to the grant, in forward order.
func (e *Engine) backwardMoves(s *stateSearch, k skey) []move {
	var moves []move
	for {
		st := s.via[k]
		m := move{from: k.node(), to: st.nxt.node(), kind: st.kind, ref: st.ref, ref2: st.ref2}
		moves = append(moves, m)
		if st.kind == hopGrantEnd {
			return moves
		}
		k = st.nxt
	}
}
