package projection

// CSR is a compressed sparse row adjacency: the neighbours of node n are
// Adj[Off[n]:Off[n+1]], in the order the edges were added.
type CSR struct {
	Off []uint32
	Adj []int32
}

// Of returns the neighbour slice of n. It must not be modified.
func (c *CSR) Of(n int32) []int32 { return c.Adj[c.Off[n]:c.Off[n+1]] }

// Degree returns the number of neighbours of n.
func (c *CSR) Degree(n int32) int { return int(c.Off[n+1] - c.Off[n]) }

// edgeList accumulates (from, value) pairs before they are packed into a CSR.
type edgeList struct {
	from []int32
	val  []int32
}

func (l *edgeList) add(from, val int32) {
	l.from = append(l.from, from)
	l.val = append(l.val, val)
}

// build packs the list into a CSR over n nodes with a stable counting sort,
// so neighbours keep their insertion order.
func (l *edgeList) build(n int) CSR {
	off := make([]uint32, n+1)
	for _, f := range l.from {
		off[f+1]++
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	adj := make([]int32, len(l.from))
	pos := make([]uint32, n)
	copy(pos, off[:n])
	for i, f := range l.from {
		adj[pos[f]] = l.val[i]
		pos[f]++
	}
	return CSR{Off: off, Adj: adj}
}

// bytes is the memory held by the CSR's arrays.
func (c *CSR) bytes() int { return 4*len(c.Off) + 4*len(c.Adj) }
