package bundle_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

// fakeStore is a graph.Ingester that keeps the last committed snapshot in a
// graph.Dataset and counts commits, so tests can tell whether Load committed.
type fakeStore struct {
	calls     int
	committed int
	data      *graph.Dataset
}

func (s *fakeStore) Ingest(_ context.Context, meta graph.SnapshotMeta, fn func(graph.Writer) error) (graph.SnapshotMeta, error) {
	s.calls++
	d := &graph.Dataset{Info: meta}
	if err := fn(d); err != nil {
		return graph.SnapshotMeta{}, err
	}
	s.committed++
	s.data = d
	meta.ID = "s-fake"
	meta.Counts = d.Meta().Counts
	return meta, nil
}

// load runs bundle.Load on paths and returns the store and the error.
func load(t *testing.T, opts ingest.Options, paths ...string) (*fakeStore, graph.SnapshotMeta, error) {
	t.Helper()
	st := &fakeStore{}
	var srcs []ingest.Source
	for _, p := range paths {
		srcs = append(srcs, ingest.Source{Path: p})
	}
	meta, err := bundle.Load(context.Background(), st, srcs, opts)
	return st, meta, err
}

// mustLoad loads paths and fails the test on any error.
func mustLoad(t *testing.T, paths ...string) *graph.Dataset {
	t.Helper()
	st, _, err := load(t, ingest.Options{}, paths...)
	require.NoError(t, err)
	require.Equal(t, 1, st.committed)
	return st.data
}

// problems loads paths, requires a validation error without a commit, and
// returns the rendered problems.
func problems(t *testing.T, opts ingest.Options, paths ...string) ([]string, *ingest.ValidationError) {
	t.Helper()
	st, _, err := load(t, opts, paths...)
	require.Error(t, err)
	require.ErrorIs(t, err, ingest.ErrInvalid)
	require.Zero(t, st.calls, "a failed load must not call the store")
	var ve *ingest.ValidationError
	require.ErrorAs(t, err, &ve)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	return out, ve
}

func ingestOptions() ingest.Options { return ingest.Options{} }

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
