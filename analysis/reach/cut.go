package reach

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/graph/flow"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/schema"
)

// Fix is a remediation suggestion for one (identity, resource, action).
type Fix struct {
	// Cut is a smallest set of removable edges (memberships, grants,
	// delegations, read grants on secret locations) whose removal leaves the
	// identity with no authorization path; each as the hop it renders to.
	Cut []analysis.Hop `json:"cut"`
	// ChokePoints are the nodes every authorization path passes through
	// (dominators of the grant), nearest the identity first; the identity
	// itself and the resource are not listed.
	ChokePoints []string `json:"choke_points"`
}

// unbounded is the capacity of an edge the cut may not remove (a credential
// leading to its identity: the exposure is cut at the read grant).
const unbounded = 1 << 30

// Cut returns a minimum cut and the choke points of the authorization paths
// (R4) from identity to (resource, action), on the same pruned subgraph Paths
// searches. Every edge counts one; a principal holding several grants that
// cover the resource must lose all of them, so they are cut together. The
// cut is minimum in those edges (a read grant that exposes several
// credentials is counted once per credential). An identity with no
// authorization gets an empty Fix and no error.
func (e *Engine) Cut(identity, resource string, a schema.Action) (Fix, error) {
	x, r, err := e.cutEnds(identity, resource, a)
	if err != nil {
		return Fix{Cut: []analysis.Hop{}, ChokePoints: []string{}}, err
	}
	// Backward from the target first: the forward search then only
	// follows nodes that lead to it, which are all the pruned subgraph
	// keeps (a node on a forward path to a node that leads to the target
	// leads to it too).
	bwd := e.pool().get(e.p.Len())
	defer e.pool().put(bwd)
	e.authBackward(bwd, e.seeds(r, a), nil)
	if !bwd.seen(x) {
		return Fix{Cut: []analysis.Hop{}, ChokePoints: []string{}}, nil
	}
	fwd := e.pool().get(e.p.Len())
	defer e.pool().put(fwd)
	e.authForward(fwd, x, [5]bool{}, bwd.seen)
	return e.cut(fwd, bwd, x, r, a), nil
}

// cutEnds resolves and checks the arguments of Cut.
func (e *Engine) cutEnds(identity, resource string, a schema.Action) (x, r int32, err error) {
	if x, err = e.identityNode(identity); err != nil {
		return 0, 0, err
	}
	if r, err = e.resourceNode(resource); err != nil {
		return 0, 0, err
	}
	if !a.Valid() {
		return 0, 0, &schema.EnumError{What: "action", Value: string(a), Allowed: schema.Strings(schema.Actions)}
	}
	return x, r, nil
}

// Cutter answers Cut for many targets of the same few identities, as a
// batch report asks it (every critical finding of one actor): it searches
// forwards from each identity once and then, per target, backwards from the
// target only through what the identity reaches. Cut searches backwards
// from the target over the whole graph instead, which at a million
// identities costs far more than the identity's own reach. Both keep the
// nodes on a path from the identity to the target, with the same distances
// and the same first steps, so the fixes are the same (TestCutterMatchesCut).
// A Cutter is not safe for concurrent use; Close returns its searches to
// the engine.
type Cutter struct {
	e    *Engine
	from []cutFrom // the forward searches kept, the latest last
}

type cutFrom struct {
	x  int32
	sc *scratch
}

// cutterKeeps is how many identities' forward searches a Cutter keeps (an
// actor is one identity, or a few linked by same_as).
const cutterKeeps = 4

// Cutter returns a Cutter over e.
func (e *Engine) Cutter() *Cutter { return &Cutter{e: e} }

// Cut is Engine.Cut.
func (c *Cutter) Cut(identity, resource string, a schema.Action) (Fix, error) {
	e := c.e
	x, r, err := e.cutEnds(identity, resource, a)
	if err != nil {
		return Fix{Cut: []analysis.Hop{}, ChokePoints: []string{}}, err
	}
	fwd := c.forward(x)
	bwd := e.pool().get(e.p.Len())
	defer e.pool().put(bwd)
	e.authBackward(bwd, e.seeds(r, a), fwd.seen)
	if !bwd.seen(x) {
		return Fix{Cut: []analysis.Hop{}, ChokePoints: []string{}}, nil
	}
	return e.cut(fwd, bwd, x, r, a), nil
}

// forward returns the forward search from x, made on first use.
func (c *Cutter) forward(x int32) *scratch {
	for _, f := range c.from {
		if f.x == x {
			return f.sc
		}
	}
	if len(c.from) == cutterKeeps {
		c.e.pool().put(c.from[0].sc)
		c.from = slices.Delete(c.from, 0, 1)
	}
	sc := c.e.pool().get(c.e.p.Len())
	c.e.authForward(sc, x, [5]bool{}, nil)
	c.from = append(c.from, cutFrom{x: x, sc: sc})
	return sc
}

// Close returns the Cutter's searches to the engine; it may be used again.
func (c *Cutter) Close() {
	for _, f := range c.from {
		c.e.pool().put(f.sc)
	}
	c.from = nil
}

// cut is the minimum cut and choke points on the subgraph of the nodes that
// both fwd (from x) and bwd (from r's grants of a) reached.
func (e *Engine) cut(fwd, bwd *scratch, x, r int32, a schema.Action) Fix {
	fix := Fix{Cut: []analysis.Hop{}, ChokePoints: []string{}}
	sub := e.prune(fwd, bwd, r, a, true)
	src, sink := int(sub.local[x]), int(sub.sink)

	// Residual network: arcs in pairs (forward, reverse) over local ids.
	n := len(sub.out)
	type arc struct{ to, cap, flow int }
	var arcs []arc
	adj := make([][]int, n)
	keys := make([][2]int64, 0, len(sub.multi))
	for k := range sub.multi {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(p, q [2]int64) int { return cmp.Or(cmp.Compare(p[0], q[0]), cmp.Compare(p[1], q[1])) })
	for _, k := range keys {
		c := len(sub.multi[k])
		if sub.multi[k][0].kind == hopCredOf {
			c = unbounded
		}
		u, v := int(k[0]), int(k[1])
		adj[u] = append(adj[u], len(arcs))
		arcs = append(arcs, arc{to: v, cap: c})
		adj[v] = append(adj[v], len(arcs))
		arcs = append(arcs, arc{to: u})
	}
	// Edmonds–Karp: shortest augmenting paths by BFS.
	prev := make([]int, n)
	for {
		for i := range prev {
			prev[i] = -1
		}
		q := []int{src}
		prev[src] = -2
		for len(q) > 0 && prev[sink] == -1 {
			u := q[0]
			q = q[1:]
			for _, ai := range adj[u] {
				if ar := arcs[ai]; ar.cap-ar.flow > 0 && prev[ar.to] == -1 {
					prev[ar.to] = ai
					q = append(q, ar.to)
				}
			}
		}
		if prev[sink] == -1 {
			break
		}
		push := unbounded
		for v := sink; v != src; v = arcs[prev[v]^1].to {
			push = min(push, arcs[prev[v]].cap-arcs[prev[v]].flow)
		}
		for v := sink; v != src; v = arcs[prev[v]^1].to {
			arcs[prev[v]].flow += push
			arcs[prev[v]^1].flow -= push
		}
	}
	// The source side of the minimum cut: what the residual network still reaches.
	side := make([]bool, n)
	side[src] = true
	q := []int{src}
	for len(q) > 0 {
		u := q[0]
		q = q[1:]
		for _, ai := range adj[u] {
			if ar := arcs[ai]; ar.cap-ar.flow > 0 && !side[ar.to] {
				side[ar.to] = true
				q = append(q, ar.to)
			}
		}
	}
	seen := map[analysis.Hop]bool{}
	for _, k := range keys {
		if !side[k[0]] || side[k[1]] {
			continue
		}
		u := sub.global[k[0]]
		v := int32(-1)
		if k[1] != int64(sub.sink) {
			v = sub.global[k[1]]
		}
		for _, ed := range sub.multi[k] {
			var h analysis.Hop
			switch ed.kind {
			case hopReadStored:
				h = e.grantHop(ed.ref) // the read grant is what gets removed
			default:
				h = e.hops(nil, u, v, ed.kind, ed.ref, ed.ref2)[0]
			}
			if !seen[h] {
				seen[h] = true
				fix.Cut = append(fix.Cut, h)
			}
		}
	}
	slices.SortFunc(fix.Cut, func(p, q analysis.Hop) int {
		return cmp.Or(cmp.Compare(p.From, q.From), cmp.Compare(p.Edge, q.Edge), cmp.Compare(p.To, q.To),
			cmp.Compare(p.Action, q.Action), cmp.Compare(p.Native, q.Native))
	})

	// Choke points: the dominators of the sink, walked up to the identity.
	dt := flow.Dominators(lnode(src), sub)
	for d := dt.DominatorOf(int64(sink)); d != nil && d.ID() != int64(src); d = dt.DominatorOf(d.ID()) {
		fix.ChokePoints = append(fix.ChokePoints, e.p.ID(sub.global[d.ID()]))
	}
	slices.Reverse(fix.ChokePoints)
	return fix
}
