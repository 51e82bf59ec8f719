package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/schema"
)

// BenchmarkTierWhoCanKind measures `whocan --kind journal_entry --action
// approve` output to a file in every form, two ways in one run: "whole"
// collects the answer and builds the whole document (as the CLI did before),
// "stream" writes each access as its resource is answered (as it does now).
// rows/s counts accesses written per second, question included.
func BenchmarkTierWhoCanKind(b *testing.B) {
	env := benchSetup(b)
	st, err := memstore.Open(env.store)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	s, err := session.Open(ctx, st, "")
	if err != nil {
		b.Fatal(err)
	}
	q := query{s: s}
	wq := session.WhoCan{Action: schema.ActionApprove, Kind: "journal_entry"}
	// The whole-document mode is the old way, kept for the comparison; past
	// tier S it holds gigabytes (YAML at M: over 20 GiB), so it runs there
	// only when asked for.
	whole := env.tier.Name == "S" || env.tier.Name == "XS" || os.Getenv("REACHGRAPH_BENCH_WHOLE") == "1"
	for _, out := range []string{"none", "json", "yaml", "csv", "table"} {
		for _, mode := range []string{"whole", "stream"} {
			if out == "none" && mode == "whole" {
				continue // "none/stream": the question alone, nothing written
			}
			if mode == "whole" && !whole {
				continue
			}
			b.Run(out+"/"+mode, func(b *testing.B) {
				f, err := os.Create(filepath.Join(b.TempDir(), "out"))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				g := &globals{output: out, env: Env{Stdout: f}}
				rows := 0
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if _, err := f.Seek(0, 0); err != nil {
						b.Fatal(err)
					}
					n, err := writeKind(ctx, g, q, wq, mode)
					if err != nil {
						b.Fatal(err)
					}
					rows += n
				}
				b.StopTimer()
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(rows/b.N), "rows")
			})
		}
	}
}

func writeKind(ctx context.Context, g *globals, q query, wq session.WhoCan, mode string) (int, error) {
	if mode == "whole" {
		accs, err := q.s.WhoCan(ctx, time.Time{}, wq)
		if err != nil {
			return 0, err
		}
		return len(accs), wholeAccesses(g, g.env.Stdout, q, accs)
	}
	n := 0
	if g.output == "none" {
		err := q.s.WhoCanEach(ctx, time.Time{}, wq, func(analysis.Access) error { n++; return nil })
		return n, err
	}
	err := g.streamAccesses(q, false, func(fn func(analysis.Access) error) error {
		return q.s.WhoCanEach(ctx, time.Time{}, wq, func(a analysis.Access) error {
			n++
			return fn(a)
		})
	})
	return n, err
}
