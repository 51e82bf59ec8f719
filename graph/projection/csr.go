package projection

// CSR is a compressed sparse row adjacency over the node range
// [Base, Base+len(Off)-1): the neighbours of node n are
// Adj[Off[n-Base]:Off[n-Base+1]], in the order the edges were added. A node
// outside the range has no neighbours, so a CSR over one node kind (whose
// nodes are contiguous) needs offsets for that kind only.
type CSR struct {
	Base int32
	Off  []uint32
	Adj  []int32
}

// Of returns the neighbour slice of n (nil outside the range). It must not be
// modified.
func (c *CSR) Of(n int32) []int32 {
	i := n - c.Base
	if i < 0 || int(i) >= len(c.Off)-1 {
		return nil
	}
	return c.Adj[c.Off[i]:c.Off[i+1]]
}

// Degree returns the number of neighbours of n.
func (c *CSR) Degree(n int32) int { return len(c.Of(n)) }

// edgeList accumulates (from, value) pairs before they are packed into a CSR.
type edgeList struct {
	from []int32
	val  []int32
}

func (l *edgeList) add(from, val int32) {
	l.from = append(l.from, from)
	l.val = append(l.val, val)
}

// build packs the list into a CSR over nodes [lo, hi) with a stable counting
// sort, so neighbours keep their insertion order, and frees the list.
func (l *edgeList) build(lo, hi int32) CSR {
	c := countingCSR(lo, hi, len(l.from), func(i int) int32 { return l.from[i] }, func(i int) int32 { return l.val[i] })
	*l = edgeList{}
	return c
}

// indexBy is the CSR over nodes [lo, hi) of the indexes i < n by key(i),
// increasing, leaving out keys that are None: what an edgeList of the pairs
// (key(i), i) would build, without holding the list (at tier L the grants
// alone would need a gigabyte of pairs).
func indexBy(lo, hi int32, n int, key func(i int) int32) CSR {
	return countingCSR(lo, hi, n, key, func(i int) int32 { return int32(i) })
}

// countingCSR sorts the pairs (from(i), val(i)), i < n, stably by from into
// a CSR over nodes [lo, hi); pairs whose from is None are left out.
func countingCSR(lo, hi int32, n int, from, val func(i int) int32) CSR {
	nodes := int(hi - lo)
	off := make([]uint32, nodes+1)
	for i := range n {
		if f := from(i); f != None {
			off[f-lo+1]++
		}
	}
	for i := 1; i <= nodes; i++ {
		off[i] += off[i-1]
	}
	adj := make([]int32, off[nodes])
	pos := make([]uint32, nodes)
	copy(pos, off[:nodes])
	for i := range n {
		if f := from(i); f != None {
			adj[pos[f-lo]] = val(i)
			pos[f-lo]++
		}
	}
	return CSR{Base: lo, Off: off, Adj: adj}
}

// reversed returns the list with every pair turned around.
func (l *edgeList) reversed() *edgeList { return &edgeList{from: l.val, val: l.from} }

// bytes is the memory held by the CSR's arrays.
func (c *CSR) bytes() int { return 4*len(c.Off) + 4*len(c.Adj) }
