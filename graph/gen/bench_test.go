package gen_test

import (
	"context"
	"testing"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
)

// edgeHasher is an IDHasher that also counts the edges records carry inside
// them (CHILD_OF, STORED_IN), so benchmarks can report Tier.Edges' measure.
type edgeHasher struct {
	*graph.IDHasher
	parents, stored int
}

func (e *edgeHasher) PutResource(r graph.Resource) error {
	if r.Parent != "" {
		e.parents++
	}
	return e.IDHasher.PutResource(r)
}

func (e *edgeHasher) PutCredential(c graph.Credential) error {
	if c.StoredIn != "" {
		e.stored++
	}
	return e.IDHasher.PutCredential(c)
}

func (e *edgeHasher) edges() int {
	c := e.Counts()
	return c.Memberships + c.Grants + c.Credentials + c.Delegations + c.Resources + e.parents + e.stored
}

func benchmarkGenerate(b *testing.B, name string) {
	tier := mustTier(b, name)
	b.ReportAllocs()
	var records, edges int
	for b.Loop() {
		h := &edgeHasher{IDHasher: graph.NewIDHasher(gen.Meta(tier, 1))}
		if err := gen.Generate(context.Background(), tier, 1, h, nil); err != nil {
			b.Fatal(err)
		}
		records, edges = h.Counts().Total(), h.edges()
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(records), "records/op")
	b.ReportMetric(float64(edges), "edges/op")
}

// BenchmarkGenerateS generates tier S into a graph.IDHasher (which hashes
// every record, as a store computing the snapshot id would).
func BenchmarkGenerateS(b *testing.B) { benchmarkGenerate(b, "S") }

// BenchmarkGenerateM generates tier M (about 10M records, a few seconds).
func BenchmarkGenerateM(b *testing.B) { benchmarkGenerate(b, "M") }
