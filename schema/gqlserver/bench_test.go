package gqlserver_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
)

// benchStore makes a store file in dir holding one generated tier
// (REACHGRAPH_BENCH_TIER, default S).
func benchStore(dir string) (string, error) {
	name := os.Getenv("REACHGRAPH_BENCH_TIER")
	if name == "" {
		name = "S"
	}
	tier, err := gen.TierByName(name)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "store.db")
	st, err := memstore.Open(path)
	if err != nil {
		return "", err
	}
	defer st.Close()
	ctx := context.Background()
	_, err = st.Ingest(ctx, gen.Meta(tier, 1), func(w graph.Writer) error { return gen.Generate(ctx, tier, 1, w, nil) })
	return path, err
}

// sampleResources returns n resource ids of the newest snapshot, drawn with
// a fixed seed.
func sampleResources(b *testing.B, st graph.Store, n int) []string {
	r, err := st.Snapshot(context.Background(), "")
	require.NoError(b, err)
	var all []string
	for res, err := range r.Resources(context.Background()) {
		require.NoError(b, err)
		all = append(all, res.ID)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]string, n)
	for i := range out {
		out[i] = all[rng.IntN(len(all))]
	}
	return out
}

// BenchmarkGraphQLWhoCan measures one whoCan(resource) over HTTP against a
// warm server, with the store as a one-shot process opens it (the read
// handle opened, the file pre-faulted and closed again around every store
// access: how serve ran before) and as serve opens it now (KeepOpen). It
// reports p50 and p99 latencies; the ratio of the two runs is the gain.
func BenchmarkGraphQLWhoCan(b *testing.B) {
	path, err := benchStore(b.TempDir())
	require.NoError(b, err)
	for _, mode := range []string{"reopen", "keepopen"} {
		b.Run(mode, func(b *testing.B) {
			st, err := memstore.Open(path)
			require.NoError(b, err)
			defer st.Close()
			if mode == "keepopen" {
				st.KeepOpen(memstore.DefaultKeepOpen)
			}
			hs, _ := newServer(b, st, nil)
			ids := sampleResources(b, st, 200)
			const q = `query W($r: ID) { whoCan(action: WRITE, resource: $r) { accesses(first: 100) { totalCount complete edges { node { identity { id } effective } } } } }`
			// Warm: the first request opens the snapshot (not timed), and a
			// collection frees what the open left behind. Without it, at tier M
			// no collection runs during the timed requests and each request's
			// allocations land on pages the process never touched, about 260
			// page faults per request (docs/performance.md): the first minutes
			// of a server, not a warm one.
			if code, _, raw := post(b, hs.URL, auditorToken, q, map[string]any{"r": ids[0]}); code != http.StatusOK {
				b.Fatalf("warm-up: status %d: %s", code, raw)
			}
			runtime.GC()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				code, resp, raw := post(b, hs.URL, auditorToken, q, map[string]any{"r": ids[i%len(ids)]})
				lat = append(lat, time.Since(start))
				if code != http.StatusOK || len(resp.Errors) > 0 {
					b.Fatalf("status %d: %s", code, raw)
				}
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
