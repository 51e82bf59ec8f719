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
	fix := Fix{Cut: []analysis.Hop{}, ChokePoints: []string{}}
	x, err := e.identityNode(identity)
	if err != nil {
		return fix, err
	}
	r, err := e.resourceNode(resource)
	if err != nil {
		return fix, err
	}
	if !a.Valid() {
		return fix, &schema.EnumError{What: "action", Value: string(a), Allowed: schema.Strings(schema.Actions)}
	}
	// Backward from the target first: the forward search then only
	// follows nodes that lead to it, which are all the pruned subgraph
	// keeps (a node on a forward path to a node that leads to the target
	// leads to it too).
	bwd := e.pool().get(e.p.Len())
	defer e.pool().put(bwd)
	e.authBackward(bwd, e.seeds(r, a))
	if !bwd.seen(x) {
		return fix, nil
	}
	fwd := e.pool().get(e.p.Len())
	defer e.pool().put(fwd)
	e.authForward(fwd, x, [5]bool{}, bwd.seen)
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
	return fix, nil
}
