package reach

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	gpath "gonum.org/v1/gonum/graph/path"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// Paths returns up to k shortest authorization paths (R4) from identity from to
// (resource, action), shortest first, ties in a deterministic order. It runs
// Yen's algorithm (gonum) only on the subgraph of nodes that are both reachable
// from the identity and lead to a grant on the resource, so its cost does not
// grow with the whole graph. An identity with no authorization gets no paths
// and no error. It returns ctx's error when ctx ends first.
func (e *Engine) Paths(ctx context.Context, from, resource string, a schema.Action, k int) ([]analysis.Path, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	x, err := e.identityNode(from)
	if err != nil {
		return nil, err
	}
	r, err := e.resourceNode(resource)
	if err != nil {
		return nil, err
	}
	if !a.Valid() {
		return nil, &schema.EnumError{What: "action", Value: string(a), Allowed: schema.Strings(schema.Actions)}
	}
	if k < 1 {
		k = 1
	}
	// Backward from the target first: the forward search then only
	// follows nodes that lead to it, which are all the pruned subgraph
	// keeps (a node on a forward path to a node that leads to the target
	// leads to it too).
	bwd := e.pool().get(e.p.Len())
	defer e.pool().put(bwd)
	e.authBackward(bwd, e.seeds(r, a), nil)
	if !bwd.seen(x) {
		return nil, nil
	}
	fwd := e.pool().get(e.p.Len())
	defer e.pool().put(fwd)
	e.authForward(fwd, x, [5]bool{}, bwd.seen)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub := e.pruned(fwd, bwd, r, a)
	raw := gpath.YenKShortestPaths(sub, k, math.Inf(1), lnode(sub.local[x]), lnode(sub.sink))
	var out []analysis.Path
	seen := map[string]bool{}
	for _, nodes := range raw {
		var path analysis.Path
		for i := 0; i+1 < len(nodes); i++ {
			ed := sub.edge[[2]int64{nodes[i].ID(), nodes[i+1].ID()}]
			u := sub.global[nodes[i].ID()]
			v := int32(-1)
			if nodes[i+1].ID() != int64(sub.sink) {
				v = sub.global[nodes[i+1].ID()]
			}
			path = e.hops(path, u, v, ed.kind, ed.ref, ed.ref2)
		}
		b, _ := json.Marshal(path)
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, path)
		}
	}
	slices.SortStableFunc(out, func(a, b analysis.Path) int { return cmp.Compare(len(a), len(b)) })
	return out, nil
}

type ledge struct {
	kind      hopKind
	ref, ref2 int32
	w         float64
}

// subgraph is a small weighted directed graph over local ids; it implements
// gonum's graph.Directed and path.Weighted.
type subgraph struct {
	global []int32         // local → projection node
	local  map[int32]int32 // projection node → local
	sink   int32           // local id of the virtual goal node
	out    [][]int64
	in     [][]int64
	edge   map[[2]int64]ledge
	// multi, when not nil, keeps every parallel edge u → v (edge keeps the
	// lightest only); Cut needs them all.
	multi map[[2]int64][]ledge
}

// pruned builds the subgraph of nodes seen by both searches, with the forward
// edges between them and an edge from each final-grant holder to a sink.
func (e *Engine) pruned(fwd, bwd *scratch, r int32, a schema.Action) *subgraph {
	return e.prune(fwd, bwd, r, a, false)
}

// prune is pruned; with multi it also records every parallel edge.
func (e *Engine) prune(fwd, bwd *scratch, r int32, a schema.Action, multi bool) *subgraph {
	p := e.p
	sub := &subgraph{local: map[int32]int32{}, edge: map[[2]int64]ledge{}}
	if multi {
		sub.multi = map[[2]int64][]ledge{}
	}
	// The nodes both searches saw, in node order (the order the local
	// numbering, and so the tie-breaking of paths and cuts, follows).
	small, other := fwd, bwd
	if len(bwd.touched) < len(fwd.touched) {
		small, other = bwd, fwd
	}
	for _, n := range small.touched {
		if other.seen(n) {
			sub.global = append(sub.global, n)
		}
	}
	slices.Sort(sub.global)
	for i, n := range sub.global {
		sub.local[n] = int32(i)
	}
	sub.sink = int32(len(sub.global))
	sub.out = make([][]int64, len(sub.global)+1)
	sub.in = make([][]int64, len(sub.global)+1)
	add := func(u, v int32, ed ledge) {
		lu, ok1 := sub.local[u]
		lv, ok2 := sub.local[v]
		if v == -1 {
			lv, ok2 = sub.sink, true
		}
		if !ok1 || !ok2 {
			return
		}
		k := [2]int64{int64(lu), int64(lv)}
		if sub.multi != nil {
			sub.multi[k] = append(sub.multi[k], ed)
		}
		if old, ok := sub.edge[k]; ok && old.w <= ed.w {
			return
		}
		if _, ok := sub.edge[k]; !ok {
			sub.out[lu] = append(sub.out[lu], int64(lv))
			sub.in[lv] = append(sub.in[lv], int64(lu))
		}
		sub.edge[k] = ed
	}
	cover := e.covering(r)
	under := map[int32][]int32{}
	for _, u := range sub.global {
		switch p.Kind(u) {
		case projection.Identity, projection.Group:
			for _, g := range p.MemberOut.Of(u) {
				if e.memberLive(u, g) {
					add(u, g, ledge{kind: hopMember, w: 1})
				}
			}
			for _, di := range p.DelegOut.Of(u) {
				if e.delegLive(di) {
					add(u, p.Delegs[di].To, ledge{kind: hopDeleg, ref: di, w: 1})
				}
			}
			for _, gi := range p.GrantOut.Of(u) {
				if e.grantGives(gi, schema.ActionRead) {
					for _, ci := range e.storedUnder(under, p.Grants[gi].Target, false) {
						add(u, p.CredNode(ci), ledge{kind: hopReadStored, ref: gi, ref2: ci, w: 2})
					}
				}
				if e.grantGives(gi, a) && slices.Contains(cover, p.Grants[gi].Target) {
					add(u, -1, ledge{kind: hopGrantEnd, ref: gi, w: 1})
				}
			}
		case projection.Credential:
			ci := u - p.CredBase()
			add(u, p.Creds[ci].Owner, ledge{kind: hopCredOf, ref: ci, w: 1})
		}
	}
	return sub
}

type lnode int64

func (n lnode) ID() int64 { return int64(n) }

type lgedge struct{ f, t lnode }

func (e lgedge) From() graph.Node         { return e.f }
func (e lgedge) To() graph.Node           { return e.t }
func (e lgedge) ReversedEdge() graph.Edge { return lgedge{f: e.t, t: e.f} }

var _ graph.Directed = (*subgraph)(nil)

func (s *subgraph) n() int64 { return int64(len(s.out)) }

func (s *subgraph) Node(id int64) graph.Node {
	if id < 0 || id >= s.n() {
		return nil
	}
	return lnode(id)
}

func (s *subgraph) Nodes() graph.Nodes {
	return iterator.NewImplicitNodes(0, int(s.n()), func(id int) graph.Node { return lnode(id) })
}

func (s *subgraph) nodes(ids []int64) graph.Nodes {
	if len(ids) == 0 {
		return graph.Empty
	}
	ns := make([]graph.Node, len(ids))
	for i, id := range ids {
		ns[i] = lnode(id)
	}
	return iterator.NewOrderedNodes(ns)
}

// From returns the successors of id.
func (s *subgraph) From(id int64) graph.Nodes {
	if id < 0 || id >= s.n() {
		return graph.Empty
	}
	return s.nodes(s.out[id])
}

// To returns the predecessors of id.
func (s *subgraph) To(id int64) graph.Nodes {
	if id < 0 || id >= s.n() {
		return graph.Empty
	}
	return s.nodes(s.in[id])
}

// HasEdgeFromTo reports whether u → v is an edge.
func (s *subgraph) HasEdgeFromTo(u, v int64) bool {
	_, ok := s.edge[[2]int64{u, v}]
	return ok
}

// HasEdgeBetween reports whether u → v or v → u is an edge.
func (s *subgraph) HasEdgeBetween(u, v int64) bool {
	return s.HasEdgeFromTo(u, v) || s.HasEdgeFromTo(v, u)
}

// Edge returns the edge u → v, or nil.
func (s *subgraph) Edge(u, v int64) graph.Edge {
	if !s.HasEdgeFromTo(u, v) {
		return nil
	}
	return lgedge{f: lnode(u), t: lnode(v)}
}

// Weight returns the weight of u → v (0 for u == v), as path.Weighted asks.
func (s *subgraph) Weight(u, v int64) (float64, bool) {
	if u == v {
		return 0, true
	}
	ed, ok := s.edge[[2]int64{u, v}]
	if !ok {
		return math.Inf(1), false
	}
	return ed.w, true
}
