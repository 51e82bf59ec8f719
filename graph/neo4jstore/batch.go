package neo4jstore

import (
	"context"
	"fmt"
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
	// eids maps each node id written to its element id: relationships find
	// their endpoints by element id (a direct record lookup) rather than by
	// an index seek on (snapshot, id) per endpoint.
	eids map[string]string
	mu   sync.Mutex // guards eids while node batches are written concurrently
	// slots bounds the write transactions in flight (Options.Parallelism).
	slots chan struct{}
}

// batches runs fn on each batch of Options.BatchSize rows, at most
// Options.Parallelism transactions at once across the whole ingest (w.slots
// is shared by every kind). A batch's rows are made when its transaction
// starts, so only the batches in flight are in memory (a tier-M estate's 11
// million rows as parameter maps would not fit beside the server). The
// first error cancels the batches not yet started and is returned.
func (w *batchWriter) batches(ctx context.Context, rows rowSource, fn func(ctx context.Context, batch []map[string]any) error) error {
	size := w.store.opts.BatchSize
	var steps []func(context.Context) error
	for lo := 0; lo < rows.n; lo += size {
		hi := min(lo+size, rows.n)
		steps = append(steps, func(ctx context.Context) error {
			select {
			case w.slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			defer func() { <-w.slots }()
			batch := make([]map[string]any, 0, hi-lo)
			for i := lo; i < hi; i++ {
				batch = append(batch, rows.at(i))
			}
			return fn(ctx, batch)
		})
	}
	return concurrently(ctx, steps)
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
func (w *batchWriter) run(ctx context.Context, cypher string, rows rowSource) (int64, error) {
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
func (w *batchWriter) nodes(ctx context.Context, kind schema.NodeKind, rows rowSource) error {
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
			if _, dup := w.eids[id]; !dup {
				w.eids[id] = eid
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("neo4jstore: write %s nodes of snapshot %s: %w", kind, w.snapshot, err)
	}
	return nil
}

// edges creates the relationships of kind. Every endpoint is checked
// before any is written; the endpoints travel as element ids only.
func (w *batchWriter) edges(ctx context.Context, kind schema.EdgeKind, kinds map[string]schema.NodeKind, rows rowSource) error {
	from, to := edgeEnds(kind)
	for i := range rows.n {
		row := rows.at(i)
		a, aok := kinds[row[from.Name].(string)]
		b, bok := kinds[row[to.Name].(string)]
		if !aok || !bok || !refers(from, a) || !refers(to, b) {
			return fmt.Errorf("%w: %s %s=%q %s=%q", ErrDanglingReference, kind, from.Name, row[from.Name], to.Name, row[to.Name])
		}
	}
	byEid := rowSource{n: rows.n, at: func(i int) map[string]any {
		row := rows.at(i)
		row["_a"], row["_b"] = w.eids[row[from.Name].(string)], w.eids[row[to.Name].(string)]
		delete(row, from.Name)
		delete(row, to.Name)
		return row
	}}
	n, err := w.run(ctx, createEdgesCypher(kind), byEid)
	if err != nil {
		return fmt.Errorf("neo4jstore: write %s edges of snapshot %s: %w", kind, w.snapshot, err)
	}
	if n != int64(rows.n) {
		return fmt.Errorf("neo4jstore: write %s edges of snapshot %s: created %d of %d", kind, w.snapshot, n, rows.n)
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
// IN_SYSTEM, CHILD_OF) whose targets exist.
func (w *batchWriter) derived(ctx context.Context, d *graph.Dataset) error {
	refs := map[schema.NodeKind]func(field string) rowSource{
		schema.KindCredential: func(field string) rowSource {
			return refRows(w.eids, d.CredentialList, func(r graph.Credential) (string, string) {
				if field == "identity" {
					return r.ID, r.Identity
				}
				return r.ID, r.StoredIn
			})
		},
		schema.KindResource: func(field string) rowSource {
			return refRows(w.eids, d.ResourceList, func(r graph.Resource) (string, string) {
				if field == "system" {
					return r.ID, r.System
				}
				return r.ID, r.Parent
			})
		},
	}
	for _, de := range derivedEdges {
		if _, err := w.run(ctx, createDerivedCypher(de), refs[de.Node](de.Field)); err != nil {
			return fmt.Errorf("neo4jstore: write %s edges of snapshot %s: %w", de.Edge, w.snapshot, err)
		}
	}
	return nil
}

// refRows are the derived-edge rows of list: the node's and the target's
// element ids, for the references whose target was written.
func refRows[T any](eids map[string]string, list []T, ref func(T) (id, target string)) rowSource {
	var pairs [][2]string
	for _, r := range list {
		id, target := ref(r)
		if target == "" {
			continue
		}
		if b, ok := eids[target]; ok {
			pairs = append(pairs, [2]string{eids[id], b})
		}
	}
	return rowSource{n: len(pairs), at: func(i int) map[string]any {
		return map[string]any{"_a": pairs[i][0], "_b": pairs[i][1]}
	}}
}
