package storetest

import (
	"context"

	"github.com/reachgraph/reachgraph/graph"
)

// CaptureID is the snapshot id Capture gives every snapshot it commits.
const CaptureID = "s-test"

// Capture is a graph.Ingester keeping the last committed snapshot in a
// graph.Dataset, for reader tests that need no real store. A failed
// callback commits nothing and leaves Data as it was.
type Capture struct {
	Data  *graph.Dataset // the last committed snapshot; nil before one
	Calls int            // Ingest calls, committed or not
}

// Ingest runs fn on a fresh Dataset and keeps it when fn succeeds; the
// metadata it returns (and stores in Data.Info) has id CaptureID and the
// dataset's counts.
func (c *Capture) Ingest(_ context.Context, meta graph.SnapshotMeta, fn func(graph.Writer) error) (graph.SnapshotMeta, error) {
	c.Calls++
	d := &graph.Dataset{Info: meta}
	if err := fn(d); err != nil {
		return graph.SnapshotMeta{}, err
	}
	meta.ID = CaptureID
	meta.Counts = d.Meta().Counts
	d.Info = meta
	c.Data = d
	return meta, nil
}
