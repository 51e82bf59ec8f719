package neo4jstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// tierS generates the tier-S estate once per benchmark.
func tierS(b *testing.B) *graph.Dataset {
	b.Helper()
	tier, err := gen.TierByName("S")
	require.NoError(b, err)
	d := &graph.Dataset{Info: graph.SnapshotMeta{Source: "bench-tier-S"}}
	require.NoError(b, gen.Generate(context.Background(), tier, 1, d, nil))
	return d
}

// benchStores lists the stores compared: a fresh embedded file and a wiped
// Neo4j database (skipped without a server).
var benchStores = []struct {
	name string
	open func(b *testing.B) graph.Store
}{
	{name: "embedded", open: func(b *testing.B) graph.Store {
		s, err := memstore.Open(filepath.Join(b.TempDir(), "store.db"))
		require.NoError(b, err)
		b.Cleanup(func() { _ = s.Close() })
		return s
	}},
	{name: "neo4j", open: func(b *testing.B) graph.Store { return openEmpty(b) }},
}

// BenchmarkIngest measures landing tier S (rows/s) in each store; each
// iteration ingests a fresh snapshot (another source label, so another id).
func BenchmarkIngest(b *testing.B) {
	d := tierS(b)
	rows := d.Meta().Counts.Total()
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			s := bs.open(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				info := d.Info
				info.Source = d.Info.Source + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
				_, err := s.Ingest(context.Background(), info, d.WriteTo)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// BenchmarkProjection measures projection.Build of tier S streamed from each store.
func BenchmarkProjection(b *testing.B) {
	d := tierS(b)
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			s := bs.open(b)
			meta, err := s.Ingest(context.Background(), d.Info, d.WriteTo)
			require.NoError(b, err)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := s.Snapshot(context.Background(), meta.ID)
				require.NoError(b, err)
				_, err = projection.Build(context.Background(), r)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(meta.Counts.Total())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkBulkExport measures writing tier S as neo4j-admin import CSVs
// (rows/s; no server).
func BenchmarkBulkExport(b *testing.B) {
	d := tierS(b)
	rows := d.Meta().Counts.Total()
	for i := 0; i < b.N; i++ {
		_, err := neo4jstore.BulkImport{Dir: filepath.Join(b.TempDir(), "csv")}.Ingest(context.Background(), d.Info, d.WriteTo)
		require.NoError(b, err)
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
