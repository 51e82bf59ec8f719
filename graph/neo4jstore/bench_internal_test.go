package neo4jstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
)

// BenchmarkBulkExportFiles measures writing the files of tier S alone
// (rows/s): the snapshot is spooled once, and each iteration writes its CSV
// files into a new directory. BenchmarkBulkExport times the whole Ingest,
// the spooling of the records included.
func BenchmarkBulkExportFiles(b *testing.B) {
	ctx := context.Background()
	tier, err := gen.TierByName("S")
	require.NoError(b, err)
	src := &graph.Dataset{Info: graph.SnapshotMeta{Source: "bench-tier-S"}}
	require.NoError(b, gen.Generate(ctx, tier, 1, src, nil))
	meta, d, err := spool(ctx, src.Info, src.WriteTo)
	require.NoError(b, err)
	r := metaReader{Dataset: d, meta: meta}
	root := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(root, "csv")
		require.NoError(b, os.Mkdir(dir, 0o755))
		x := &csvExport{dir: dir, snapshot: string(meta.ID), now: time.Now}
		require.NoError(b, x.write(ctx, meta, r))
		b.StopTimer()
		require.NoError(b, os.RemoveAll(dir))
		b.StartTimer()
	}
	b.ReportMetric(float64(meta.Counts.Total())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
