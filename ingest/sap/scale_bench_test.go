package sap_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/sap"
	"github.com/reachgraph/reachgraph/ingest/sap/sapgen"
)

// BenchmarkIngestGenerated ingests a generated extract (sapgen defaults:
// 20,000 users, 5,000 roles, AGR_1251 of REACHGRAPH_SAP_ROWS rows, default
// 5,000,000) into the embedded bbolt store, the path `reachgraph ingest`
// takes. Generation is outside the timer. It reports rows/s and the peak
// heap in use (sampled after the load).
//
//	go test ./ingest/sap -run '^$' -bench IngestGenerated -benchtime 1x
func BenchmarkIngestGenerated(b *testing.B) {
	rows := sapgen.DefaultOptions.Rows
	if s := os.Getenv("REACHGRAPH_SAP_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(b, err)
		rows = n
	}
	dir := b.TempDir()
	n, err := sapgen.Generate(context.Background(), filepath.Join(dir, "sap"), sapgen.Options{Seed: 1, Rows: rows})
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := memstore.Open(filepath.Join(dir, "bench-"+strconv.Itoa(i)+".db"))
		require.NoError(b, err)
		meta, err := ingest.Load(context.Background(), st, []ingest.Source{{Path: filepath.Join(dir, "sap"), Format: ingest.FormatSAP}},
			ingest.Options{Readers: ingest.Readers{SAP: sap.Read}})
		require.NoError(b, err)
		require.Positive(b, meta.Counts.Grants)
		require.NoError(b, st.Close())
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
}
