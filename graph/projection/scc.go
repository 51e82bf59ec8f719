package projection

import "slices"

// SCC computes the strongly connected components of the directed graph given
// by adj over n nodes, iteratively (no recursion, so million-node chains are
// fine). comp[v] is v's component number; components are numbered in reverse
// topological order of the condensation (a component's successors have smaller
// numbers), as Tarjan's algorithm emits them.
func SCC(n int, adj func(v int32) []int32) (comp []int32, count int) {
	const unvisited = -1
	index := make([]int32, n)
	low := make([]int32, n)
	comp = make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = unvisited
		comp[i] = unvisited
	}
	var stack []int32
	type frame struct {
		v    int32
		next int // position in adj(v)
	}
	var call []frame
	next := int32(0)
	for root := range n {
		if index[root] != unvisited {
			continue
		}
		call = append(call[:0], frame{v: int32(root)})
		index[root], low[root] = next, next
		next++
		stack = append(stack, int32(root))
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			nbrs := adj(f.v)
			if f.next < len(nbrs) {
				w := nbrs[f.next]
				f.next++
				switch {
				case index[w] == unvisited:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				case onStack[w] && index[w] < low[f.v]:
					low[f.v] = index[w]
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				if u := call[len(call)-1].v; low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = int32(count)
					if w == v {
						break
					}
				}
				count++
			}
		}
	}
	return comp, count
}

// MembershipSCC returns the strongly connected components of the MEMBER_OF
// graph: nodes in one component (a membership cycle) share one principal set.
// It takes every membership, windowed or not; MembershipSCCAt keeps only those
// that count at one instant.
func (p *Projection) MembershipSCC() (comp []int32, count int) {
	return SCC(p.Len(), p.MemberOut.Of)
}

// MembershipSCCAt is MembershipSCC over the memberships that count at t (unix
// nanoseconds): a cycle closed only by an expired or not yet valid membership
// is no cycle at t, and its nodes do not share a principal set then.
func (p *Projection) MembershipSCCAt(t int64) (comp []int32, count int) {
	if len(p.members.byPair) == 0 {
		return p.MembershipSCC()
	}
	var buf []int32
	return SCC(p.Len(), func(v int32) []int32 {
		out := p.MemberOut.Of(v)
		if !p.members.marked(v) {
			return out
		}
		buf = buf[:0]
		for _, g := range out {
			if p.MemberLive(v, g, t) {
				buf = append(buf, g)
			}
		}
		return slices.Clone(buf)
	})
}
