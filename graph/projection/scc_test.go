package projection_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"

	rg "github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// checkSCC compares comp/count from projection.SCC against gonum's
// TarjanSCC partition of the same graph, and checks the documented numbering:
// components in reverse topological order (an edge never goes to a higher
// component number).
func checkSCC(t *testing.T, n int, adj [][]int32, comp []int32, count int, oracle [][]graph.Node) {
	t.Helper()
	require.Len(t, comp, n)
	require.Equal(t, len(oracle), count, "number of components")
	seen := make([]bool, count)
	for _, c := range oracle {
		id := comp[c[0].ID()]
		require.True(t, id >= 0 && int(id) < count, "component number %d out of range", id)
		require.False(t, seen[id], "component number %d used by two oracle components", id)
		seen[id] = true
		for _, v := range c {
			require.Equal(t, id, comp[v.ID()], "node %d: oracle puts it with node %d", v.ID(), c[0].ID())
		}
	}
	for u, out := range adj {
		for _, v := range out {
			require.GreaterOrEqual(t, comp[u], comp[v], "edge %d→%d goes to a later component (numbering must be reverse topological)", u, v)
		}
	}
}

func TestSCCAgainstGonumTarjan(t *testing.T) {
	seeds := 400
	if testing.Short() {
		seeds = 100
	}
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 1))
		n := 1 + rng.IntN(60)
		m := rng.IntN(3 * n)
		if seed%10 == 0 {
			m = rng.IntN(n*n/2 + 1) // dense
		}
		adj := make([][]int32, n)
		g := simple.NewDirectedGraph()
		for i := range n {
			g.AddNode(simple.Node(i))
		}
		for range m {
			u, v := rng.IntN(n), rng.IntN(n)
			adj[u] = append(adj[u], int32(v)) // self-loops and parallel edges included
			if u != v {
				g.SetEdge(simple.Edge{F: simple.Node(u), T: simple.Node(v)})
			}
		}
		comp, count := projection.SCC(n, func(v int32) []int32 { return adj[v] })
		checkSCC(t, n, adj, comp, count, topo.TarjanSCC(g))
	}
}

func TestSCCEmpty(t *testing.T) {
	comp, count := projection.SCC(0, func(int32) []int32 { return nil })
	require.Empty(t, comp)
	require.Zero(t, count)
}

// A 2,000,000-node chain must not overflow the stack (a recursive Tarjan
// would): every node is its own component, numbered in reverse topological
// order. The same chain closed into a ring is one component.
func TestSCCLongChain(t *testing.T) {
	const n = 2_000_000
	next := make([]int32, n)
	for i := range next {
		next[i] = int32(i + 1)
	}
	chain := func(v int32) []int32 {
		if v == n-1 {
			return nil
		}
		return next[v : v+1]
	}
	comp, count := projection.SCC(n, chain)
	require.Equal(t, n, count)
	for v := range int32(n) {
		if comp[v] != n-1-v {
			t.Fatalf("comp[%d] = %d, want %d (reverse topological order)", v, comp[v], n-1-v)
		}
	}

	next[n-1] = 0
	ring := func(v int32) []int32 { return next[v : v+1] }
	comp, count = projection.SCC(n, ring)
	require.Equal(t, 1, count)
	for v := range int32(n) {
		if comp[v] != 0 {
			t.Fatalf("ring: comp[%d] = %d", v, comp[v])
		}
	}
}

// randomMembershipGraph builds a projection of identities and groups with
// random memberships (cycles, self-memberships and duplicates included), plus a
// few grants and a system so that the node ids interleave kinds.
func randomMembershipGraph(t *testing.T, seed uint64) (*projection.Projection, *rg.Dataset) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	d := &rg.Dataset{}
	d.PutSystem(rg.System{ID: "sys"})
	d.PutResource(rg.Resource{ID: "res", System: "sys"})
	nI, nG := 1+rng.IntN(15), 1+rng.IntN(25)
	var principals, groups []string
	for i := range nI {
		id := fmt.Sprintf("id-%d", i)
		d.PutIdentity(rg.Identity{ID: id, Type: schema.IdentityHuman, Status: schema.StatusActive})
		principals = append(principals, id)
	}
	for i := range nG {
		id := fmt.Sprintf("g-%d", i)
		d.PutGroup(rg.Group{ID: id, Type: schema.GroupGroup})
		principals = append(principals, id)
		groups = append(groups, id)
	}
	for range rng.IntN(3 * (nI + nG)) {
		d.PutMembership(rg.Membership{Member: principals[rng.IntN(len(principals))], Group: groups[rng.IntN(nG)]})
	}
	d.PutGrant(rg.Grant{Principal: principals[0], Action: schema.ActionRead, Resource: "res"})
	p, err := projection.Build(context.Background(), d)
	require.NoError(t, err)
	return p, d
}

// bfs computes MEMBER_OF hop distances from id straight from the records.
func bfs(d *rg.Dataset, from string) map[string]int {
	dist := map[string]int{from: 0}
	frontier := []string{from}
	for len(frontier) > 0 {
		var nextF []string
		for _, u := range frontier {
			for _, m := range d.MembershipList {
				if m.Member == u {
					if _, ok := dist[m.Group]; !ok {
						dist[m.Group] = dist[u] + 1
						nextF = append(nextF, m.Group)
					}
				}
			}
		}
		frontier = nextF
	}
	return dist
}

// The gonum adapter over the projection's CSR arrays: gonum's own algorithms
// (Dijkstra, PathExistsIn, TarjanSCC) run on projection.Directed directly and
// agree with computations made straight from the membership records.
func TestGonumAdapter(t *testing.T) {
	seeds := 150
	if testing.Short() {
		seeds = 40
	}
	for seed := range uint64(seeds) {
		p, d := randomMembershipGraph(t, seed)
		g := p.Membership()
		var _ graph.Directed = g

		// Structure: nodes, successors, predecessors, edges.
		require.Equal(t, p.Len(), g.Nodes().Len())
		require.Nil(t, g.Node(-1))
		require.Nil(t, g.Node(int64(p.Len())))
		edges := map[[2]int64]bool{}
		for _, m := range d.MembershipList {
			u, _ := p.Lookup(m.Member)
			v, _ := p.Lookup(m.Group)
			edges[[2]int64{int64(u), int64(v)}] = true
		}
		for u := range int64(p.Len()) {
			var succ, pred []int64
			for it := g.From(u); it.Next(); {
				succ = append(succ, it.Node().ID())
			}
			for it := g.To(u); it.Next(); {
				pred = append(pred, it.Node().ID())
			}
			for v := range int64(p.Len()) {
				want := edges[[2]int64{u, v}]
				require.Equal(t, want, g.HasEdgeFromTo(u, v), "HasEdgeFromTo(%s, %s)", p.ID(int32(u)), p.ID(int32(v)))
				require.Equal(t, want, slices.Contains(succ, v))
				require.Equal(t, edges[[2]int64{v, u}], slices.Contains(pred, v))
				require.Equal(t, want, g.Edge(u, v) != nil)
				require.Equal(t, want || edges[[2]int64{v, u}], g.HasEdgeBetween(u, v))
			}
		}

		// Dijkstra and PathExistsIn from every identity vs a BFS over the records.
		for _, idn := range d.IdentityList {
			u, _ := p.Lookup(idn.ID)
			sp := path.DijkstraFrom(g.Node(int64(u)), g)
			want := bfs(d, idn.ID)
			for v := range int32(p.Len()) {
				dv, ok := want[p.ID(v)]
				got := sp.WeightTo(int64(v))
				if !ok {
					require.True(t, math.IsInf(got, 1), "%s → %s: gonum distance %v, unreachable in the records", idn.ID, p.ID(v), got)
				} else {
					require.Equal(t, float64(dv), got, "%s → %s", idn.ID, p.ID(v))
				}
				require.Equal(t, ok, topo.PathExistsIn(g, g.Node(int64(u)), g.Node(int64(v))), "PathExistsIn(%s, %s)", idn.ID, p.ID(v))
			}
		}

		// gonum's (recursive) TarjanSCC over the adapter vs MembershipSCC.
		comp, count := p.MembershipSCC()
		adj := make([][]int32, p.Len())
		for u := range int32(p.Len()) {
			adj[u] = p.MemberOut.Of(u)
		}
		checkSCC(t, p.Len(), adj, comp, count, topo.TarjanSCC(g))
	}
}
