package reach

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// ReachQuery asks what one identity can do.
type ReachQuery struct {
	Identity string
	// Actions limits the answer to these actions; empty means all five.
	Actions []schema.Action
	// CriticalOnly keeps only critical accesses (R8).
	CriticalOnly bool
	// EffectiveOnly drops latent accesses.
	EffectiveOnly bool
	// Alternates, when above zero, also lists up to that many of each
	// access's other shortest paths in Access.Alternates (a walkable one,
	// with its authentication, for an effective access).
	Alternates int
	// AlternatesFor, when set, limits Alternates to the accesses it returns
	// true for (it sees the access with its evidence path).
	AlternatesFor func(*analysis.Access) bool
	// PathsFor, when set, limits the evidence to the accesses it returns
	// true for: it sees an access with its flags (Authorized, Effective,
	// Critical) but no evidence yet. The others get no Paths, Alternates
	// or Authentication, and PathsSkipped set. Rendering the evidence is
	// most of what an answer allocates; a batch evaluation that reads the
	// evidence of few accesses asks for those only.
	PathsFor func(*analysis.Access) bool
}

// Reach returns every (resource, action) the identity is authorized for (R4),
// sorted by resource id then action order, each with Effective per R6, one
// shortest evidence path (a walkable one when effective) and, when effective,
// the authentication used. Systems are not listed as resources. It returns
// ErrUnknownNode when the identity does not exist, and ctx's error when ctx
// ends first.
func (e *Engine) Reach(ctx context.Context, q ReachQuery) ([]analysis.Access, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	x, err := e.identityNode(q.Identity)
	if err != nil {
		return nil, err
	}
	var want [5]bool
	if len(q.Actions) == 0 {
		want = [5]bool{true, true, true, true, true}
	}
	for _, a := range q.Actions {
		i := a.Index()
		if i < 0 {
			return nil, &schema.EnumError{What: "action", Value: string(a), Allowed: schema.Strings(schema.Actions)}
		}
		want[i] = true
	}
	sc := e.pool().get(e.p.Len())
	defer e.pool().put(sc)
	ties := q.Alternates > 0
	if ties {
		sc.trackTies()
	}
	auth := e.authForward(sc, x, want, nil)
	ss, found, altFound := e.effectiveSearch(x, want, ties)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]analysis.Access, 0, len(auth))
	// The evidence of a latent access is the path to the principal holding
	// the grant, then the grant: the same for every resource the grant
	// covers (a grant on a system covers all of its resources), so it is
	// rendered once per (principal, grant) and shared, read-only.
	var latent map[[2]int32]analysis.Path
	var walks map[effKey]*effEvidence
	alts := map[string]authAlts{}
	keys := sortedKeys(auth)
	sortAccessKeys(keys, e.p)
	for _, k := range keys {
		r, a := k.node(), schema.Actions[k.sys()]
		crit := e.critical(r, a)
		if q.CriticalOnly && !crit {
			continue
		}
		// The access is built in place in out (a local one would escape
		// to the heap through the calls below, once per access).
		out = append(out, analysis.Access{Identity: q.Identity, Resource: e.p.ID(r), Action: a, Authorized: true, Critical: crit,
			ResourceNode: r + 1})
		acc := &out[len(out)-1]
		eb, eff := found[k]
		if !eff && q.EffectiveOnly {
			out = out[:len(out)-1]
			continue
		}
		acc.Effective = eff
		if q.PathsFor != nil && !q.PathsFor(acc) {
			acc.PathsSkipped = true
			continue
		}
		if eff {
			// Likewise the walk to one state then one grant: rendered
			// once, its path shared, and its authentication too while
			// the resources are in one system (a grant on a parent may
			// cover a child the data puts in another one:
			// TestReachSharedWalkAuthSystem).
			ek := effKey{eb.state, eb.grant}
			ev, ok := walks[ek]
			if !ok {
				w := e.walkTo(ss, eb)
				ev = &effEvidence{paths: []analysis.Path{e.movesPath(w.moves)}, w: w, sys: -1}
				if walks == nil {
					walks = map[effKey]*effEvidence{}
				}
				walks[ek] = ev
			}
			if sys := e.p.SystemOf(r); sys != ev.sys {
				ev.sys, ev.auth = sys, e.authentication(sys, ev.w.cred, ev.w.moves)
			}
			acc.Paths, acc.Authentication = ev.paths, ev.auth
			if ties && (q.AlternatesFor == nil || q.AlternatesFor(acc)) {
				e.effectiveAlternates(ss, altFound[k], eb, r, acc, q.Alternates)
			}
		} else {
			b := auth[k]
			path, ok := latent[[2]int32{b.via, b.grant}]
			if !ok {
				path = e.forwardPath(sc, b.via, b.grant)
				if latent == nil {
					latent = map[[2]int32]analysis.Path{}
				}
				latent[[2]int32{b.via, b.grant}] = path
			}
			acc.Paths = []analysis.Path{path}
			if ties && (q.AlternatesFor == nil || q.AlternatesFor(acc)) {
				e.authAlternates(sc, k, b, acc, q.Alternates, alts)
			}
		}
	}
	return out, nil
}

// effKey is a walkable chain's end state and final grant: the evidence of
// every effective access it gives is the same walk.
type effKey struct {
	state skey
	grant int32
}

// effEvidence is the evidence of one effKey, rendered once per answer: its
// paths list (shared, read-only) and the authentication last made from its
// walk, for resources of system sys.
type effEvidence struct {
	paths []analysis.Path
	w     walk
	sys   int32
	auth  *analysis.Authentication
}

// best is the shortest way found to one (resource, action).
type best struct {
	dist  int32
	via   int32 // principal holding the grant
	grant int32
}

func (b best) length() int32 { return b.dist }

func sortedKeys[V any](m map[skey]V) []skey {
	keys := make([]skey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// authForward searches forwards from x (R1, R3, R4) and returns, per
// (resource, action index) key, the shortest grant reaching it.
func (e *Engine) authForward(sc *scratch, x int32, want [5]bool, keep func(int32) bool) map[skey]best {
	p := e.p
	var q dial[int32]
	record := want != [5]bool{}
	push := func(n, d int32, st step) {
		if (keep == nil || keep(n)) && sc.relax(n, d, st) {
			q.push(d, n)
		}
	}
	push(x, 0, step{kind: hopNone})
	out := map[skey]best{}
	under := map[int32][]int32{} // read grant target → credentials stored below it
	for {
		v, d, ok := q.pop()
		if !ok {
			break
		}
		if sc.dist[v] != d {
			continue
		}
		switch p.Kind(v) {
		case projection.Identity, projection.Group:
			for _, g := range p.MemberOut.Of(v) {
				if e.memberLive(v, g) {
					push(g, d+1, step{nxt: v, kind: hopMember})
				}
			}
			for _, di := range p.DelegOut.Of(v) {
				if e.delegLive(di) {
					push(p.Delegs[di].To, d+1, step{nxt: v, kind: hopDeleg, ref: di})
				}
			}
			for _, gi := range p.GrantOut.Of(v) {
				if !e.grantLive(gi) {
					continue
				}
				if record {
					e.recordGrant(out, v, gi, d+1, want, sc.altEndsIf())
				}
				if !e.grantGives(gi, schema.ActionRead) {
					continue
				}
				for _, ci := range e.storedUnder(under, p.Grants[gi].Target, false) {
					push(p.CredNode(ci), d+2, step{nxt: v, kind: hopReadStored, ref: gi, ref2: ci})
				}
			}
		case projection.Credential:
			ci := v - p.CredBase()
			push(p.Creds[ci].Owner, d+1, step{nxt: v, kind: hopCredOf, ref: ci})
		}
	}
	return out
}

// recordGrant notes the accesses grant gi (held by v, reached at distance d
// including the grant hop) gives on its target's subtree.
// With alt (ties kept), every other grant reaching a key at its shortest
// distance is kept there.
func (e *Engine) recordGrant(out map[skey]best, v, gi, d int32, want [5]bool, alt map[skey][]best) {
	g := &e.p.Grants[gi]
	e.subtree(g.Target, func(r int32) {
		if e.p.Kind(r) != projection.Resource {
			return
		}
		for ai := range schema.Actions {
			if !want[ai] || (g.ActionIndex() != uint8(ai) && g.ActionIndex() != adminIdx) {
				continue
			}
			recordShortest(out, alt, key(r, int32(ai)), best{dist: d, via: v, grant: gi})
		}
	})
}

// subtree calls fn on every node a grant on t covers.
func (e *Engine) subtree(t int32, fn func(int32)) { e.p.Subtree(t, fn) }

// storedUnder returns the credentials stored in any resource a read grant on t
// covers (only valid ones when validOnly), caching per t in cache (the
// search's) and in the engine's cache, shared by every search: the answer
// depends only on t and the engine's instant, and a report asks it of the
// same few vault paths for a million identities. The caller must not
// modify the result.
func (e *Engine) storedUnder(cache map[int32][]int32, t int32, validOnly bool) []int32 {
	if creds, ok := cache[t]; ok {
		return creds
	}
	creds, ok := e.stored.get(t, validOnly)
	if !ok {
		e.subtree(t, func(n int32) {
			for _, ci := range e.p.StoredAt.Of(n) {
				if !validOnly || e.credValid(ci) {
					creds = append(creds, ci)
				}
			}
		})
		creds = slices.Clip(creds)
		e.stored.put(t, validOnly, creds)
	}
	cache[t] = creds
	return creds
}

// storedCache is an engine's storedUnder answers by (target, validOnly),
// in shards so that concurrent searches seldom wait on one another.
type storedCache struct {
	shards [2][16]struct {
		mu sync.RWMutex
		m  map[int32][]int32
	}
}

func (c *storedCache) shard(t int32, validOnly bool) (*sync.RWMutex, *map[int32][]int32) {
	v := 0
	if validOnly {
		v = 1
	}
	s := &c.shards[v][uint32(t)%uint32(len(c.shards[v]))]
	return &s.mu, &s.m
}

func (c *storedCache) get(t int32, validOnly bool) ([]int32, bool) {
	mu, m := c.shard(t, validOnly)
	mu.RLock()
	creds, ok := (*m)[t]
	mu.RUnlock()
	return creds, ok
}

func (c *storedCache) put(t int32, validOnly bool, creds []int32) {
	mu, m := c.shard(t, validOnly)
	mu.Lock()
	if *m == nil {
		*m = map[int32][]int32{}
	}
	(*m)[t] = creds
	mu.Unlock()
}

// effBest is the shortest walkable chain found to one (resource, action).
type effBest struct {
	dist  int32
	state skey
	grant int32
}

func (b effBest) length() int32 { return b.dist }

// walkTo is the walk the search's first steps give to the end b.
func (e *Engine) walkTo(s *stateSearch, b effBest) walk {
	moves, cred := e.forwardMoves(s, b.state)
	moves = append(moves, move{from: b.state.node(), kind: hopGrantEnd, ref: b.grant})
	return walk{cred: cred, moves: moves}
}

// effectiveSearch searches states (principal, session system) forwards from
// x's own valid credentials (R5, R6) and returns the search with the
// shortest end found per (resource, action index) key. With ties it also
// keeps every shortest step (s.alt) and every other shortest end (altFound),
// so that all shortest walks can be enumerated (alternates.go).
func (e *Engine) effectiveSearch(x int32, want [5]bool, ties bool) (s *stateSearch, found map[skey]effBest, altFound map[skey][]effBest) {
	p := e.p
	s = newStateSearch()
	if ties {
		s.alt, altFound = map[skey][]sstep{}, map[skey][]effBest{}
	}
	found = map[skey]effBest{}
	if !p.Active(x) {
		return s, found, altFound
	}
	for _, ci := range p.CredsOf.Of(x) {
		if !e.credValid(ci) {
			continue
		}
		if len(p.CredSys.Of(ci)) == 0 {
			s.push(key(x, allSystems), 0, sstep{kind: hopNone, ref: ci})
		}
		for _, sys := range p.CredSys.Of(ci) {
			s.push(key(x, sys), 0, sstep{kind: hopNone, ref: ci})
		}
	}
	under := map[int32][]int32{} // grant target → valid credentials stored below it
	for {
		k, d, ok := s.pop()
		if !ok {
			break
		}
		v, sys := k.node(), k.sys()
		for _, g := range p.MemberOut.Of(v) {
			if e.memberLive(v, g) {
				s.push(key(g, sys), d+1, sstep{nxt: k, kind: hopMember})
			}
		}
		for _, di := range p.DelegOut.Of(v) {
			dl := &p.Delegs[di]
			switch {
			case !p.Active(dl.To) || !e.delegLive(di):
			case dl.System == projection.None:
				s.push(key(dl.To, sys), d+1, sstep{nxt: k, kind: hopDeleg, ref: di})
			case sessionOK(sys, dl.System):
				s.push(key(dl.To, dl.System), d+1, sstep{nxt: k, kind: hopDeleg, ref: di})
			}
		}
		for _, gi := range p.GrantOut.Of(v) {
			if !e.grantLive(gi) {
				continue
			}
			e.recordEffective(found, k, gi, d+1, want, altFound)
			if e.grantGives(gi, schema.ActionRead) {
				e.expose(s, k, gi, d, under)
			}
		}
	}
	return s, found, altFound
}

// expose adds the exposure moves from state k through read grant gi: every
// valid credential stored under the grant's target, in a system where k holds
// a session, gives its identity sessions wherever the credential is accepted.
func (e *Engine) expose(s *stateSearch, k skey, gi, d int32, under map[int32][]int32) {
	p := e.p
	for _, ci := range e.storedUnder(under, p.Grants[gi].Target, true) {
		c := &p.Creds[ci]
		if !sessionOK(k.sys(), p.SystemOf(c.StoredIn)) {
			continue
		}
		st := sstep{nxt: k, kind: hopExpose, ref: ci, ref2: gi}
		systems := p.CredSys.Of(ci)
		if len(systems) == 0 {
			s.push(key(c.Owner, allSystems), d+3, st)
		}
		for _, sys := range systems {
			s.push(key(c.Owner, sys), d+3, st)
		}
	}
}

// recordEffective notes the effective accesses grant gi gives from state k;
// with alt, the other shortest ends too.
func (e *Engine) recordEffective(found map[skey]effBest, k skey, gi, d int32, want [5]bool, alt map[skey][]effBest) {
	g := &e.p.Grants[gi]
	sys := k.sys()
	e.subtree(g.Target, func(r int32) {
		if e.p.Kind(r) != projection.Resource || !sessionOK(sys, e.p.SystemOf(r)) {
			return
		}
		for ai := range schema.Actions {
			if !want[ai] || (g.ActionIndex() != uint8(ai) && g.ActionIndex() != adminIdx) {
				continue
			}
			recordShortest(found, alt, key(r, int32(ai)), effBest{dist: d, state: k, grant: gi})
		}
	})
}

// forwardMoves lists the moves from the origin to state k in forward order and
// returns the origin credential that seeded the chain.
func (e *Engine) forwardMoves(s *stateSearch, k skey) ([]move, int32) {
	var rev []move
	for {
		st := s.via[k]
		if st.kind == hopNone {
			slices.Reverse(rev)
			return rev, st.ref
		}
		rev = append(rev, move{from: st.nxt.node(), to: k.node(), kind: st.kind, ref: st.ref, ref2: st.ref2})
		k = st.nxt
	}
}

func sortAccessKeys(keys []skey, p *projection.Projection) {
	if r := p.IDRanks(); r != nil {
		slices.SortFunc(keys, func(a, b skey) int {
			return cmp.Or(cmp.Compare(r[a.node()], r[b.node()]), cmp.Compare(a.sys(), b.sys()))
		})
		return
	}
	slices.SortFunc(keys, func(a, b skey) int {
		if c := cmp.Compare(p.ID(a.node()), p.ID(b.node())); c != 0 {
			return c
		}
		return cmp.Compare(a.sys(), b.sys())
	})
}
