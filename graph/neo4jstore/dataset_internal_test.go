package neo4jstore

import (
	"context"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// The tests' helpers over a dataset in memory: both ingest paths read their
// records from a spool (graph/spool) now; the tests still hold datasets.

// spool runs fn, keeping its records in memory and hashing them, in write
// order, into the content id; it returns the final metadata (see Ingest) and
// the records.
func spool(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, *graph.Dataset, error) {
	var spooled graph.Dataset
	hasher := graph.NewIDHasher(meta)
	if err := fn(graph.MultiWriter(&spooled, hasher)); err != nil {
		return graph.SnapshotMeta{}, nil, err
	}
	if err := ctx.Err(); err != nil {
		return graph.SnapshotMeta{}, nil, err
	}
	meta = meta.Normalized()
	meta.ID, meta.Counts = hasher.Sum(), hasher.Counts()
	if meta.IngestedAt.IsZero() {
		meta.IngestedAt = time.Now().UTC()
	}
	return meta, &spooled, nil
}

// nodeKinds maps every node id of d to its kind (the first declaration wins).
func nodeKinds(d *graph.Dataset) map[string]schema.NodeKind {
	m := make(map[string]schema.NodeKind, nodeCount(d))
	eachNode(d, func(id string, k schema.NodeKind) {
		if _, ok := m[id]; !ok {
			m[id] = k
		}
	})
	return m
}

// nodeCount is the number of node records of d (ids declared twice counted
// twice).
func nodeCount(d *graph.Dataset) int {
	return len(d.SystemList) + len(d.ResourceList) + len(d.IdentityList) + len(d.GroupList) + len(d.CredentialList)
}

// eachNode calls fn with every node record's id and kind, kind by kind in
// importKinds order, each kind in record order.
func eachNode(d *graph.Dataset, fn func(id string, k schema.NodeKind)) {
	for _, r := range d.SystemList {
		fn(r.ID, schema.KindSystem)
	}
	for _, r := range d.ResourceList {
		fn(r.ID, schema.KindResource)
	}
	for _, r := range d.IdentityList {
		fn(r.ID, schema.KindIdentity)
	}
	for _, r := range d.GroupList {
		fn(r.ID, schema.KindGroup)
	}
	for _, r := range d.CredentialList {
		fn(r.ID, schema.KindCredential)
	}
}

// metaReader is a spooled Dataset read as the snapshot it becomes: its
// metadata is the final one (id, counts).
type metaReader struct {
	*graph.Dataset
	meta graph.SnapshotMeta
}

func (r metaReader) Meta() graph.SnapshotMeta { return r.meta }
