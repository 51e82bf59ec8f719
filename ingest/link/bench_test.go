package link_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/link"
)

// discard is a graph.Ingester that replays the records and keeps nothing.
type discard struct{}

func (discard) Ingest(_ context.Context, meta graph.SnapshotMeta, fn func(graph.Writer) error) (graph.SnapshotMeta, error) {
	return meta, fn(&graph.Dataset{})
}

// BenchmarkLinkPass: the cost of the link pass on a tier-S estate (10,000
// identities, 100,000 edges), read as a bundle: none, inferences only (what
// every CLI ingest runs), and a link file joining every identity on a tag.
func BenchmarkLinkPass(b *testing.B) {
	tier, err := gen.TierByName("S")
	require.NoError(b, err)
	dir := b.TempDir()
	path := filepath.Join(dir, "s.json")
	fh, err := os.Create(path)
	require.NoError(b, err)
	w := bundle.NewJSONWriter(fh, "tier-s", time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC))
	require.NoError(b, gen.Generate(context.Background(), tier, 1, w, nil))
	require.NoError(b, w.Close())
	require.NoError(b, fh.Close())
	links := filepath.Join(dir, "links.yaml")
	require.NoError(b, os.WriteFile(links, []byte("same_as:\n  - join: owner\n    keys: [tag:owner, name]\n"), 0o600))
	for _, bc := range []struct {
		name string
		fn   ingest.LinkFunc
	}{{"none", nil}, {"inferences", link.New()}, {"join", link.New(links)}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				_, err := ingest.Load(context.Background(), discard{}, []ingest.Source{{Path: path, Format: ingest.FormatBundle}},
					ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}, Link: bc.fn})
				require.NoError(b, err)
			}
		})
	}
}
