package neo4jstore

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// nodeTable numbers the declared nodes of a snapshot being written, by
// the bulk export and the Bolt ingest alike (importKinds):
// the nodes of importKinds[k] come after those of the kinds before it,
// each kind in record order, so a node's number also tells its kind. An id
// declared twice keeps its first declaration (the bulk export refuses it:
// dups). The ids are copied into blocks of one arena, so the
// table holds them and not the records they were read from (a tier-L
// estate's node records are gigabytes; its ids a few hundred megabytes).
type nodeTable struct {
	nums  map[string]int64
	bases [len(importKinds) + 1]int64 // bases[k]: the number of the first node of importKinds[k]; the last is the total
	dups  int                         // node records whose id was declared before
	arena []byte                      // the current block of id bytes
}

// importNode is a declared node: its kind and its number for the importer.
type importNode struct {
	kind schema.NodeKind
	num  int64
}

// arenaBlock is the size of one block of id bytes.
const arenaBlock = 1 << 20

// countBases numbers the nodes of each kind from the counts of records:
// bases[k] is the number of the first node of importKinds[k], the last the
// number of nodes.
func countBases(c graph.Counts) [len(importKinds) + 1]int64 {
	n := [...]int{c.Systems, c.Resources, c.Identities, c.Groups, c.Credentials}
	var b [len(importKinds) + 1]int64
	for k := range importKinds {
		b[k+1] = b[k] + int64(n[k])
	}
	return b
}

// readNodes numbers the node records of r, kind by kind, as countBases
// does from r's counts.
func readNodes(ctx context.Context, r graph.Reader) (*nodeTable, error) {
	c := r.Meta().Counts
	t := &nodeTable{nums: make(map[string]int64, c.Systems+c.Resources+c.Identities+c.Groups+c.Credentials)}
	var num int64
	var err error
	add := func(id string) {
		if _, ok := t.nums[id]; ok {
			t.dups++
		} else {
			t.nums[t.clone(id)] = num
		}
		num++
	}
	ids := [...]func(){
		func() { err = eachID(r.Systems(ctx), func(x *graph.System) string { return x.ID }, add) },
		func() { err = eachID(r.Resources(ctx), func(x *graph.Resource) string { return x.ID }, add) },
		func() { err = eachID(r.Identities(ctx), func(x *graph.Identity) string { return x.ID }, add) },
		func() { err = eachID(r.Groups(ctx), func(x *graph.Group) string { return x.ID }, add) },
		func() { err = eachID(r.Credentials(ctx), func(x *graph.Credential) string { return x.ID }, add) },
	}
	for k, read := range ids {
		t.bases[k] = num
		if read(); err != nil {
			return nil, fmt.Errorf("neo4jstore: bulk import: read the %s records back: %w", importKinds[k], err)
		}
	}
	t.bases[len(importKinds)] = num
	if t.bases != countBases(c) {
		return nil, fmt.Errorf("neo4jstore: bulk import: the records read back (%v) are not those counted (%v)", t.bases, countBases(c))
	}
	return t, nil
}

// eachID calls add with the id of every record of seq.
func eachID[T any](seq func(yield func(T, error) bool), id func(*T) string, add func(string)) error {
	for r, err := range seq {
		if err != nil {
			return err
		}
		add(id(&r))
	}
	return nil
}

// clone copies s into the arena.
func (t *nodeTable) clone(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(t.arena)+len(s) > cap(t.arena) {
		t.arena = make([]byte, 0, max(arenaBlock, len(s)))
	}
	at := len(t.arena)
	t.arena = append(t.arena, s...)
	return unsafe.String(&t.arena[at], len(s)) // the block is never written over or moved
}

// lookup returns the node declared with id.
func (t *nodeTable) lookup(id string) (importNode, bool) {
	num, ok := t.nums[id]
	if !ok {
		return importNode{}, false
	}
	return importNode{kind: t.kindOf(num), num: num}, true
}

// kindOf is the kind of node number num.
func (t *nodeTable) kindOf(num int64) schema.NodeKind {
	for k := len(importKinds) - 1; k > 0; k-- {
		if num >= t.bases[k] {
			return importKinds[k]
		}
	}
	return importKinds[0]
}
