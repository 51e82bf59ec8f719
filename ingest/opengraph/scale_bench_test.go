package opengraph_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/export"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/ingest/opengraph"
)

// BenchmarkReadTierS ingests the synthetic tier-S estate (10k identities,
// 100k edges) from its OpenGraph export and, in the same run, from its
// reachgraph/v1 JSON bundle, into an in-memory dataset.
func BenchmarkReadTierS(b *testing.B) {
	tier, err := gen.TierByName("S")
	if err != nil {
		b.Fatal(err)
	}
	d := &graph.Dataset{Info: gen.Meta(tier, 1)}
	if err := gen.Generate(context.Background(), tier, 1, d, nil); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	ogPath, bundlePath := filepath.Join(dir, "s.opengraph.json"), filepath.Join(dir, "s.json")
	og, err := os.Create(ogPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := export.WriteOpenGraph(context.Background(), og, d); err != nil {
		b.Fatal(err)
	}
	og.Close()
	bf, err := os.Create(bundlePath)
	if err != nil {
		b.Fatal(err)
	}
	jw := bundle.NewJSONWriter(bf, "tier-s", time.Time{})
	if err := d.WriteTo(jw); err != nil {
		b.Fatal(err)
	}
	if err := jw.Close(); err != nil {
		b.Fatal(err)
	}
	bf.Close()
	readers := ingest.Readers{Bundle: bundle.Read, OpenGraph: opengraph.Read}
	for _, tc := range []struct{ name, path, format string }{
		{"opengraph", ogPath, ingest.FormatOpenGraph}, {"bundle-json", bundlePath, ingest.FormatBundle},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st, err := os.Stat(tc.path)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Size())
			for b.Loop() {
				store := &storetest.Capture{}
				if _, err := ingest.Load(context.Background(), store, []ingest.Source{{Path: tc.path, Format: tc.format}}, ingest.Options{Readers: readers}); err != nil {
					b.Fatal(err)
				}
				if got, want := len(store.Data.GrantList), len(d.GrantList); got != want {
					b.Fatalf("%d grants, want %d", got, want)
				}
			}
		})
	}
}
