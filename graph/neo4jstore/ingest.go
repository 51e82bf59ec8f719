package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/reachgraph/reachgraph/graph"
	recspool "github.com/reachgraph/reachgraph/graph/spool"
	"github.com/reachgraph/reachgraph/schema"
)

// Ingest implements graph.Ingester. fn's records are spooled in memory while
// fn runs; the server is not touched. After fn returns nil the snapshot is
// written in batched UNWIND transactions of Options.BatchSize rows: a
// :Snapshot node with complete=false reserves the id, then nodes, edges and
// derived edges are created, with the Options.Derived data, and finally the metadata is set and
// complete=true, which is what makes the snapshot visible. When any write
// fails, or ctx ends, the rows written so far are deleted and the
// reservation removed; a process that dies mid-write leaves only invisible
// rows, which the next ingest of the same content deletes.
//
// It returns fn's error unchanged when fn fails and ctx's error when ctx ends
// before the commit. When a complete snapshot with the same id exists, its
// metadata is returned and no record is written; its Options.Derived data is
// stored where it is missing, damaged or not what the records give now (a
// snapshot ingested by an earlier build, or without it), replacing the old
// parts in one transaction, and left untouched otherwise. meta's ID and Counts are
// replaced; times are stored in UTC, IngestedAt defaults to now, an empty
// Files list is stored as nil. Two concurrent ingests of the same content are
// not supported: the second may delete the first's rows in progress.
func (s *Store) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(w graph.Writer) error) (graph.SnapshotMeta, error) {
	budget := s.opts.SpoolBudget
	if budget <= 0 {
		budget = spoolBudget
	}
	// Chunks of at most a quarter of the budget, so that a small budget
	// spills too.
	chunk := min(spoolChunk, max(budget/4, 256))
	sp := recspool.New(meta, recspool.Options{Chunk: chunk, Budget: budget, Dir: s.opts.SpoolDir, What: "records", Op: "neo4j ingest"})
	defer sp.Close()
	meta, err := sp.Fill(ctx, meta, fn)
	if err != nil {
		return graph.SnapshotMeta{}, err
	}
	spooled := sp.Reader(meta)
	existing, complete, found, err := s.find(ctx, meta.ID)
	if err != nil {
		return graph.SnapshotMeta{}, ctxErr(ctx, err)
	}
	if complete {
		return existing, s.refreshDerived(ctx, existing, sp.Reader(existing))
	}
	if found { // left behind by a failed or killed ingest
		if err := s.discard(ctx, meta.ID); err != nil {
			return graph.SnapshotMeta{}, ctxErr(ctx, err)
		}
	}
	if err := s.write(ctx, meta, spooled); err != nil {
		// Clean up even when ctx has ended.
		if derr := s.discard(context.WithoutCancel(ctx), meta.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("neo4jstore: clean up snapshot %s: %w", meta.ID, derr))
		}
		return graph.SnapshotMeta{}, ctxErr(ctx, err)
	}
	return meta, nil
}

// find looks up the metadata node of id, complete or not.
func (s *Store) find(ctx context.Context, id graph.SnapshotID) (meta graph.SnapshotMeta, complete, found bool, err error) {
	res, err := s.read(ctx, findSnapshotCypher, map[string]any{"snapshot": string(id)})
	if err != nil {
		return meta, false, false, fmt.Errorf("neo4jstore: look up snapshot %s: %w", id, err)
	}
	if len(res.Records) == 0 {
		return meta, false, false, nil
	}
	rec := res.Records[0]
	c, _ := rec.Get("complete")
	complete, _ = c.(bool)
	meta, err = decodeMeta(rec)
	return meta, complete, true, err
}

// write writes the whole snapshot, read from r; see Ingest.
func (s *Store) write(ctx context.Context, meta graph.SnapshotMeta, r graph.Reader) error {
	table, err := readNodes(ctx, r)
	if err != nil {
		return err
	}
	if _, err := s.exec(ctx, claimCypher, map[string]any{"snapshot": string(meta.ID), "now": time.Now().UTC()}); err != nil {
		return fmt.Errorf("neo4jstore: reserve snapshot %s: %w", meta.ID, err)
	}
	w := &batchWriter{store: s, snapshot: string(meta.ID), table: table, eids: make([]string, table.bases[len(importKinds)]),
		slots: make(chan struct{}, s.opts.Parallelism)}
	// Nodes, then edges, are written in batches by up to
	// Options.Parallelism concurrent transactions, whatever their kind:
	// the server then keeps its cores busy while the client encodes the
	// next batches. Edges need every node's element id.
	nodes := []func(context.Context) error{
		func(ctx context.Context) error {
			return w.nodes(ctx, schema.KindSystem, lazyRows(r.Systems(ctx), systemRow))
		},
		func(ctx context.Context) error {
			return w.nodes(ctx, schema.KindResource, lazyRows(r.Resources(ctx), resourceRow))
		},
		func(ctx context.Context) error {
			return w.nodes(ctx, schema.KindIdentity, lazyRows(r.Identities(ctx), identityRow))
		},
		func(ctx context.Context) error {
			return w.nodes(ctx, schema.KindGroup, lazyRows(r.Groups(ctx), groupRow))
		},
		func(ctx context.Context) error {
			return w.nodes(ctx, schema.KindCredential, lazyRows(r.Credentials(ctx), credentialRow))
		},
	}
	edgeSteps := []func(context.Context) error{
		func(ctx context.Context) error {
			return edges(ctx, w, schema.EdgeMemberOf, r.Memberships(ctx), membershipRow, membershipEnds)
		},
		func(ctx context.Context) error {
			return edges(ctx, w, schema.EdgeGrant, r.Grants(ctx), grantRow, grantEnds)
		},
		func(ctx context.Context) error {
			return edges(ctx, w, schema.EdgeCanActAs, r.Delegations(ctx), delegationRow, delegationEnds)
		},
		func(ctx context.Context) error { return w.derived(ctx, r) },
		func(ctx context.Context) error {
			// Held in parts, in memory up to derivedBudget and in a
			// temporary file beyond, as the bulk export does.
			pool := derivedPool("neo4j ingest", "")
			defer pool.Close()
			derived, err := deriveSpilled(ctx, s.opts.Derived, r, pool)
			if err != nil {
				return err
			}
			return w.writeDerived(ctx, derived, pool)
		},
	}
	for _, phase := range [][]func(context.Context) error{nodes, edgeSteps} {
		if err := concurrently(ctx, phase); err != nil {
			return err
		}
	}
	return s.complete(ctx, meta)
}

// concurrently runs steps at once; the first error cancels the others.
func concurrently(ctx context.Context, steps []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Go(func() {
			if errs[i] = step(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// complete sets the metadata and marks the snapshot visible.
func (s *Store) complete(ctx context.Context, meta graph.SnapshotMeta) error {
	res, err := s.exec(ctx, completeCypher, map[string]any{
		"snapshot": string(meta.ID), "meta": metaProps(meta), "now": time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("neo4jstore: commit snapshot %s: %w", meta.ID, err)
	}
	if n := countOf(res, "completed"); n != 1 {
		return fmt.Errorf("neo4jstore: commit snapshot %s: its reservation disappeared", meta.ID)
	}
	return nil
}

// discard deletes every node and relationship of snapshot id, its derived
// data and its incomplete metadata node, in batches.
func (s *Store) discard(ctx context.Context, id graph.SnapshotID) error {
	for {
		res, err := s.exec(ctx, deleteDerivedBatchCypher, map[string]any{"snapshot": string(id), "limit": int64(64)})
		if err != nil {
			return fmt.Errorf("delete derived data: %w", err)
		}
		if countOf(res, "deleted") == 0 {
			break
		}
	}
	for _, k := range schema.NodeKinds {
		for {
			res, err := s.exec(ctx, deleteBatchCypher(k), map[string]any{"snapshot": string(id), "limit": int64(s.opts.BatchSize)})
			if err != nil {
				return fmt.Errorf("delete %s nodes: %w", k, err)
			}
			if countOf(res, "deleted") == 0 {
				break
			}
		}
	}
	if _, err := s.exec(ctx, unclaimCypher, map[string]any{"snapshot": string(id)}); err != nil {
		return fmt.Errorf("delete reservation: %w", err)
	}
	return nil
}

func countOf(res *neo4j.EagerResult, key string) int64 {
	if len(res.Records) == 0 {
		return 0
	}
	v, _ := res.Records[0].Get(key)
	n, _ := v.(int64)
	return n
}

func metaProps(m graph.SnapshotMeta) map[string]any {
	names := make([]string, len(m.Files))
	sums := make([]string, len(m.Files))
	for i, f := range m.Files {
		names[i], sums[i] = f.Name, f.SHA256
	}
	return map[string]any{
		"source": m.Source, "collected_at": tm(m.CollectedAt), "ingested_at": tm(m.IngestedAt),
		"files_names": names, "files_sha256": sums,
		"counts_systems": int64(m.Counts.Systems), "counts_resources": int64(m.Counts.Resources),
		"counts_identities": int64(m.Counts.Identities), "counts_groups": int64(m.Counts.Groups),
		"counts_memberships": int64(m.Counts.Memberships), "counts_grants": int64(m.Counts.Grants),
		"counts_credentials": int64(m.Counts.Credentials), "counts_delegations": int64(m.Counts.Delegations),
	}
}

func decodeMeta(rec *neo4j.Record) (graph.SnapshotMeta, error) {
	f := fields{rec: rec}
	m := graph.SnapshotMeta{
		ID: graph.SnapshotID(f.str("id")), Source: f.str("source"),
		CollectedAt: f.tm("collected_at"), IngestedAt: f.tm("ingested_at"),
		Counts: graph.Counts{
			Systems: f.integer("counts_systems"), Resources: f.integer("counts_resources"),
			Identities: f.integer("counts_identities"), Groups: f.integer("counts_groups"),
			Memberships: f.integer("counts_memberships"), Grants: f.integer("counts_grants"),
			Credentials: f.integer("counts_credentials"), Delegations: f.integer("counts_delegations"),
		},
	}
	names, sums := f.list("files_names"), f.list("files_sha256")
	if len(names) != len(sums) && f.err == nil {
		f.err = errors.New("neo4jstore: snapshot files_names and files_sha256 differ in length")
	}
	for i := range min(len(names), len(sums)) {
		m.Files = append(m.Files, graph.SourceFile{Name: names[i], SHA256: sums[i]})
	}
	return m, f.err
}
