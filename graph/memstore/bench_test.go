package memstore_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// benchRecords is the benchmark dataset size: 1M records, or
// REACHGRAPH_BENCH_RECORDS when set (10000000 approximates tier M).
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("REACHGRAPH_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var benchData = sync.OnceValue(func() *graph.Dataset { return storetest.Synthetic(benchRecords(), 1) })

func reportRecords(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func reportFileSize(b *testing.B, path string) {
	fi, err := os.Stat(path)
	require.NoError(b, err)
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
}

// BenchmarkIngest ingests ~1M records into a fresh store per iteration,
// commit and fsync included.
func BenchmarkIngest(b *testing.B) {
	d := benchData()
	n := d.Meta().Counts.Total()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s, err := memstore.OpenTemp(b.TempDir())
		require.NoError(b, err)
		_, err = s.Ingest(context.Background(), d.Info, d.WriteTo)
		require.NoError(b, err)
		b.StopTimer()
		reportFileSize(b, s.Path())
		require.NoError(b, s.Close())
		b.StartTimer()
	}
	reportRecords(b, n)
}

// BenchmarkReadAll opens a stored snapshot of ~1M records and iterates every
// record of every kind. "count" only counts the records; "intern" also does
// what a projection builder does with them (ids to dense numbers in a map,
// edges resolved through it), so that the time the consumer spends per
// record shows up.
func BenchmarkReadAll(b *testing.B) {
	d := benchData()
	n := d.Meta().Counts.Total()
	s, err := memstore.OpenTemp(b.TempDir())
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	meta := storetest.Ingest(b, s, d)
	ctx := context.Background()
	consumers := []struct {
		name string
		read func(context.Context, graph.Reader) (int, error)
	}{
		{name: "count", read: countAll},
		{name: "intern", read: internAll},
	}
	for _, c := range consumers {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				r, err := s.Snapshot(ctx, meta.ID)
				require.NoError(b, err)
				got, err := c.read(ctx, r)
				require.NoError(b, err)
				require.Equal(b, n, got)
			}
			reportRecords(b, n)
		})
	}
}

// internAll numbers every node id and resolves every edge's endpoints, the
// core of building a projection.
func internAll(ctx context.Context, r graph.Reader) (int, error) {
	ids := make(map[string]int32)
	node := func(id string) { ids[id] = int32(len(ids)) }
	var edges []int32
	edge := func(from, to string) { edges = append(edges, ids[from], ids[to]) }
	total := 0
	for _, err := range []error{
		each(r.Systems(ctx), &total, func(x graph.System) { node(x.ID) }),
		each(r.Resources(ctx), &total, func(x graph.Resource) { node(x.ID) }),
		each(r.Identities(ctx), &total, func(x graph.Identity) { node(x.ID) }),
		each(r.Groups(ctx), &total, func(x graph.Group) { node(x.ID) }),
		each(r.Credentials(ctx), &total, func(x graph.Credential) { node(x.ID); edge(x.Identity, x.ID) }),
		each(r.Memberships(ctx), &total, func(x graph.Membership) { edge(x.Member, x.Group) }),
		each(r.Grants(ctx), &total, func(x graph.Grant) { edge(x.Principal, x.Resource) }),
		each(r.Delegations(ctx), &total, func(x graph.Delegation) { edge(x.From, x.To) }),
	} {
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func each[T any](seq func(func(T, error) bool), total *int, fn func(T)) error {
	for x, err := range seq {
		if err != nil {
			return err
		}
		fn(x)
		*total++
	}
	return nil
}

func countAll(ctx context.Context, r graph.Reader) (int, error) {
	total := 0
	add := func(n int, err error) error {
		total += n
		return err
	}
	for _, err := range []error{
		add(drain(r.Systems(ctx))), add(drain(r.Resources(ctx))), add(drain(r.Identities(ctx))),
		add(drain(r.Groups(ctx))), add(drain(r.Memberships(ctx))), add(drain(r.Grants(ctx))),
		add(drain(r.Credentials(ctx))), add(drain(r.Delegations(ctx))),
	} {
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func drain[T any](seq func(func(T, error) bool)) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
