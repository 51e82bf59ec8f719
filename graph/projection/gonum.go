package projection

import (
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
)

// Directed adapts one CSR (forward) and its reverse to gonum's graph.Directed
// without copying: node ids are the projection's dense ids. Parallel edges are
// already one CSR entry each; gonum sees a simple graph (Edge returns one edge).
type Directed struct {
	N   int
	Out *CSR
	In  *CSR
}

var _ graph.Directed = Directed{}

type gnode int64

func (n gnode) ID() int64 { return int64(n) }

type gedge struct{ f, t gnode }

func (e gedge) From() graph.Node         { return e.f }
func (e gedge) To() graph.Node           { return e.t }
func (e gedge) ReversedEdge() graph.Edge { return gedge{f: e.t, t: e.f} }

// csrNodes iterates a CSR neighbour slice as gonum nodes.
type csrNodes struct {
	s   []int32
	pos int
}

func (it *csrNodes) Next() bool {
	if it.pos >= len(it.s) {
		return false
	}
	it.pos++
	return true
}
func (it *csrNodes) Len() int         { return len(it.s) - it.pos }
func (it *csrNodes) Reset()           { it.pos = 0 }
func (it *csrNodes) Node() graph.Node { return gnode(it.s[it.pos-1]) }

func (d Directed) has(id int64) bool { return id >= 0 && id < int64(d.N) }

// Node returns the node with the given id, or nil when it is out of range.
func (d Directed) Node(id int64) graph.Node {
	if !d.has(id) {
		return nil
	}
	return gnode(id)
}

// Nodes returns every node.
func (d Directed) Nodes() graph.Nodes {
	return iterator.NewImplicitNodes(0, d.N, func(id int) graph.Node { return gnode(id) })
}

// From returns the successors of id.
func (d Directed) From(id int64) graph.Nodes {
	if !d.has(id) {
		return graph.Empty
	}
	return &csrNodes{s: d.Out.Of(int32(id))}
}

// To returns the predecessors of id.
func (d Directed) To(id int64) graph.Nodes {
	if !d.has(id) {
		return graph.Empty
	}
	return &csrNodes{s: d.In.Of(int32(id))}
}

// HasEdgeFromTo reports whether u → v is an edge.
func (d Directed) HasEdgeFromTo(u, v int64) bool {
	if !d.has(u) || !d.has(v) {
		return false
	}
	for _, w := range d.Out.Of(int32(u)) {
		if int64(w) == v {
			return true
		}
	}
	return false
}

// HasEdgeBetween reports whether u → v or v → u is an edge.
func (d Directed) HasEdgeBetween(u, v int64) bool {
	return d.HasEdgeFromTo(u, v) || d.HasEdgeFromTo(v, u)
}

// Edge returns the edge u → v, or nil.
func (d Directed) Edge(u, v int64) graph.Edge {
	if !d.HasEdgeFromTo(u, v) {
		return nil
	}
	return gedge{f: gnode(u), t: gnode(v)}
}

// Membership returns the MEMBER_OF graph as a gonum graph.Directed.
func (p *Projection) Membership() Directed {
	return Directed{N: p.Len(), Out: &p.MemberOut, In: &p.MemberIn}
}
