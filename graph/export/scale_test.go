package export_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/export"
	"github.com/reachgraph/reachgraph/graph/gen"
)

// tierS generates the synthetic tier-S estate (10k identities, 100k edges).
func tierS(tb testing.TB) *graph.Dataset {
	tb.Helper()
	tier, err := gen.TierByName("S")
	require.NoError(tb, err)
	d := &graph.Dataset{Info: gen.Meta(tier, 1)}
	require.NoError(tb, gen.Generate(context.Background(), tier, 1, d, nil))
	return d
}

// recorder counts the bytes written and the largest single write.
type recorder struct{ total, largest int }

func (r *recorder) Write(p []byte) (int, error) {
	r.total += len(p)
	r.largest = max(r.largest, len(p))
	return len(p), nil
}

// TestExportStreamsTierS shows the output is streamed: a tier-S export is
// many megabytes, yet it reaches the writer in buffer-sized pieces.
func TestExportStreamsTierS(t *testing.T) {
	d := tierS(t)
	for name, write := range map[string]func(context.Context, io.Writer, graph.Reader) (export.Stats, error){
		"opengraph": export.WriteOpenGraph, "graphml": export.WriteGraphML,
	} {
		t.Run(name, func(t *testing.T) {
			var rec recorder
			stats, err := write(context.Background(), &rec, d)
			require.NoError(t, err)
			c := d.Meta().Counts
			require.Equal(t, c.Systems+c.Resources+c.Identities+c.Groups+c.Credentials, stats.Nodes)
			require.Greater(t, rec.total, 10<<20, "tier S should export to more than 10 MB")
			require.LessOrEqual(t, rec.largest, 64<<10, "writes are at most one buffer")
		})
	}
}

func BenchmarkExportTierS(b *testing.B) {
	d := tierS(b)
	for _, tc := range []struct {
		name  string
		write func(context.Context, io.Writer, graph.Reader) (export.Stats, error)
	}{{"opengraph", export.WriteOpenGraph}, {"graphml", export.WriteGraphML}} {
		b.Run(tc.name, func(b *testing.B) {
			var rec recorder
			for b.Loop() {
				rec = recorder{}
				if _, err := tc.write(context.Background(), &rec, d); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(rec.total))
		})
	}
}
