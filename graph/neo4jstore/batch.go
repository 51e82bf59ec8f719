package neo4jstore

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// batchWriter writes the rows of one snapshot in UNWIND batches.
type batchWriter struct {
	store    *Store
	snapshot string
	// table numbers the snapshot's node ids (readNodes); eids holds the
	// element id of each node written, by number: relationships find
	// their endpoints by element id (a direct record lookup) rather than
	// by an index seek on (snapshot, id) per endpoint.
	table *nodeTable
	eids  []string
	mu    sync.Mutex // guards eids while node batches are written concurrently
	// slots bounds the write transactions in flight (Options.Parallelism).
	slots chan struct{}
}

// eid is the element id of the node declared with id ("" when none was
// written).
func (w *batchWriter) eid(id string) string {
	n, ok := w.table.lookup(id)
	if !ok {
		return ""
	}
	return w.eids[n.num]
}

// batches runs fn on each batch of Options.BatchSize rows, at most
// Options.Parallelism transactions at once across the whole ingest (w.slots
// is shared by every kind). A batch is taken from rows only once it has a
// slot, so only the batches in flight are in memory, and rows are read
// from the spooled records as they are needed (a tier-M estate's 11
// million rows as parameter maps would not fit beside the server). The
// first error (of a batch, or yielded by rows) stops the batches not yet
// started and is returned.
func (w *batchWriter) batches(ctx context.Context, rows iter.Seq2[map[string]any, error], fn func(ctx context.Context, batch []map[string]any) error) error {
	size := w.store.opts.BatchSize
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var batch []map[string]any
	held := false // a slot is taken for batch
	send := func() {
		b := batch
		batch, held = nil, false
		wg.Go(func() {
			defer func() { <-w.slots }()
			if err := fn(ctx, b); err != nil {
				cancel(err)
			}
		})
	}
	for row, err := range rows {
		if err != nil {
			cancel(err)
			break
		}
		if !held {
			select {
			case w.slots <- struct{}{}:
				held = true
			case <-ctx.Done():
			}
			if !held {
				break
			}
		}
		batch = append(batch, row)
		if len(batch) == size {
			send()
		}
	}
	if held {
		if len(batch) > 0 && ctx.Err() == nil {
			send()
		} else {
			<-w.slots
		}
	}
	wg.Wait()
	return context.Cause(ctx)
}

// write runs cypher once on batch in its own write transaction, retried by
// the driver on transient errors (deadlocks between concurrent batches
// touching the same nodes are among them), and returns its records.
func (w *batchWriter) write(ctx context.Context, cypher string, batch []map[string]any) ([]*neo4j.Record, error) {
	res, err := neo4j.ExecuteQuery(ctx, w.store.driver, cypher,
		map[string]any{"snapshot": w.snapshot, "rows": batch}, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(w.store.opts.Database),
		neo4j.ExecuteQueryWithTransactionConfig(append(w.store.txOptions(),
			neo4j.WithTxMetadata(map[string]any{"snapshot": w.snapshot}))...))
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// run writes rows in parallel batches with cypher and returns how many
// relationships the batches report created.
func (w *batchWriter) run(ctx context.Context, cypher string, rows iter.Seq2[map[string]any, error]) (int64, error) {
	var created atomic.Int64
	err := w.batches(ctx, rows, func(ctx context.Context, batch []map[string]any) error {
		recs, err := w.write(ctx, cypher, batch)
		if err != nil {
			return err
		}
		if len(recs) == 1 {
			v, _ := recs[0].Get("created")
			n, _ := v.(int64)
			created.Add(n)
		}
		return nil
	})
	return created.Load(), err
}

// nodes creates the nodes of kind and records their element ids.
func (w *batchWriter) nodes(ctx context.Context, kind schema.NodeKind, rows iter.Seq2[map[string]any, error]) error {
	err := w.batches(ctx, rows, func(ctx context.Context, batch []map[string]any) error {
		recs, err := w.write(ctx, createNodesCypher(kind), batch)
		if err != nil {
			return err
		}
		if len(recs) != len(batch) {
			return fmt.Errorf("created %d of %d", len(recs), len(batch))
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, rec := range recs {
			id, _ := rec.Values[0].(string)
			eid, _ := rec.Values[1].(string)
			// An id declared twice keeps its first declaration's node.
			if n, ok := w.table.lookup(id); ok && w.eids[n.num] == "" {
				w.eids[n.num] = eid
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("neo4jstore: write %s nodes of snapshot %s: %w", kind, w.snapshot, err)
	}
	return nil
}

// edges creates the relationships of kind, records recs. Every endpoint is
// checked, in a first read of the records, before any is written; the
// endpoints travel as element ids only.
func edges[T any](ctx context.Context, w *batchWriter, kind schema.EdgeKind, recs iter.Seq2[T, error], row func(T) map[string]any, ends func(*T) (from, to string)) error {
	from, to := edgeEnds(kind)
	for r, err := range recs {
		if err != nil {
			return fmt.Errorf("neo4jstore: read %s edges back: %w", kind, err)
		}
		f, t := ends(&r)
		a, aok := w.table.lookup(f)
		b, bok := w.table.lookup(t)
		if !aok || !bok || !refers(from, a.kind) || !refers(to, b.kind) {
			return fmt.Errorf("%w: %s %s=%q %s=%q", ErrDanglingReference, kind, from.Name, f, to.Name, t)
		}
	}
	var rows atomic.Int64
	byEid := func(yield func(map[string]any, error) bool) {
		for m, err := range lazyRows(recs, row) {
			if err == nil {
				m["_a"], m["_b"] = w.eid(m[from.Name].(string)), w.eid(m[to.Name].(string))
				delete(m, from.Name)
				delete(m, to.Name)
				rows.Add(1)
			}
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
	n, err := w.run(ctx, createEdgesCypher(kind), byEid)
	if err != nil {
		return fmt.Errorf("neo4jstore: write %s edges of snapshot %s: %w", kind, w.snapshot, err)
	}
	if n != rows.Load() {
		return fmt.Errorf("neo4jstore: write %s edges of snapshot %s: created %d of %d", kind, w.snapshot, n, rows.Load())
	}
	return nil
}

// refers tells whether reference field f may point at a node of kind k.
func refers(f schema.Field, k schema.NodeKind) bool {
	for _, r := range f.Ref {
		if r == k {
			return true
		}
	}
	return false
}

// derived creates the derived relationships (HAS_CREDENTIAL, STORED_IN,
// IN_SYSTEM, CHILD_OF) whose targets exist, from the records of r.
func (w *batchWriter) derived(ctx context.Context, r graph.Reader) error {
	for _, de := range derivedEdges {
		ends, err := derivedEndsOf(ctx, de, r)
		if err != nil {
			return fmt.Errorf("neo4jstore: %w", err)
		}
		rows := func(yield func(map[string]any, error) bool) {
			for e, err := range ends {
				if err != nil {
					yield(nil, err)
					return
				}
				if e[1] == "" {
					continue
				}
				if b := w.eid(e[1]); b != "" && !yield(map[string]any{"_a": w.eid(e[0]), "_b": b}, nil) {
					return
				}
			}
		}
		if _, err := w.run(ctx, createDerivedCypher(de), rows); err != nil {
			return fmt.Errorf("neo4jstore: write %s edges of snapshot %s: %w", de.Edge, w.snapshot, err)
		}
	}
	return nil
}
