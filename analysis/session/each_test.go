package session_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// WhoCanEach hands out, for a kind, exactly the answers of the questions on
// each of its resources, one by one in id order (a single resource is
// answered without the workers); a failing callback stops it with that
// error; a bad question fails before any call.
func TestWhoCanEach(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "")
	require.NoError(t, err)
	for _, q := range []session.WhoCan{
		{Action: schema.ActionRead, Kind: "secret"},
		{Action: schema.ActionApprove, Kind: "journal_entry"},
		{Action: schema.ActionWrite, Resource: "sap:fi:je"},
	} {
		rs := []string{q.Resource}
		if q.Kind != "" {
			rs = resourcesOfKind(s.Projection(), q.Kind)
			require.Greater(t, len(rs), 1, "%+v: a kind of several resources", q)
		}
		var want []analysis.Access
		for _, r := range rs {
			one, err := s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: q.Action, Resource: r})
			require.NoError(t, err)
			want = append(want, one...)
		}
		require.NotEmpty(t, want, "%+v", q)
		var got []analysis.Access
		require.NoError(t, s.WhoCanEach(ctx, time.Time{}, q, func(a analysis.Access) error {
			got = append(got, a)
			return nil
		}))
		require.Equal(t, want, got, "%+v", q)
	}

	stop := errors.New("reader went away")
	before := runtime.NumGoroutine()
	calls := 0
	err = s.WhoCanEach(ctx, time.Time{}, session.WhoCan{Action: schema.ActionRead, Kind: "secret"}, func(analysis.Access) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 2, calls)
	// The goroutine answering resources ahead has ended when WhoCanEach returns.
	require.LessOrEqual(t, runtime.NumGoroutine(), before)

	for _, q := range []session.WhoCan{
		{Action: "approves", Kind: "journal_entry"},
		{Action: schema.ActionApprove, Kind: "journal_entries"},
		{Action: schema.ActionApprove, Kind: "journal_entry", Resource: "sap:fi:je"},
	} {
		err := s.WhoCanEach(ctx, time.Time{}, q, func(analysis.Access) error {
			t.Fatalf("called for the bad question %+v", q)
			return nil
		})
		require.Error(t, err, "%+v", q)
	}
}

// With several workers answering ahead (more than the cores here, so they
// interleave) and kinds of many more resources than are answered ahead, the
// accesses of a kind come out exactly as the questions on each of its
// resources, one by one and in id order, answer them (no worker runs for a
// single resource); stopping early leaves no goroutine behind.
func TestWhoCanEachWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	tier, err := gen.TierByName("S")
	require.NoError(t, err)
	st, err := memstore.OpenTemp(t.TempDir(), memstore.WithDerived(projection.StoredName, projection.Derive))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	_, err = st.Ingest(ctx, gen.Meta(tier, 1), func(w graph.Writer) error { return gen.Generate(ctx, tier, 1, w, nil) })
	require.NoError(t, err)
	s, err := session.Open(ctx, st, "")
	require.NoError(t, err)
	many := 0
	for _, kind := range s.Kinds() {
		for _, a := range []schema.Action{schema.ActionRead, schema.ActionApprove} {
			q := session.WhoCan{Action: a, Kind: kind}
			var want []analysis.Access
			for _, r := range resourcesOfKind(s.Projection(), kind) {
				one, err := s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: a, Resource: r})
				require.NoError(t, err)
				want = append(want, one...)
			}
			var got []analysis.Access
			require.NoError(t, s.WhoCanEach(ctx, time.Time{}, q, func(a analysis.Access) error {
				got = append(got, a)
				return nil
			}))
			sameAccesses(t, want, got, q)
			if rs := map[string]bool{}; len(want) > 0 {
				for _, a := range want {
					rs[a.Resource] = true
				}
				if len(rs) > 3*64 {
					many++
				}
			}
		}
	}
	require.NotZero(t, many, "no kind has enough resources to wrap the ring of answers ahead")

	before := runtime.NumGoroutine()
	stop := errors.New("reader went away")
	calls := 0
	err = s.WhoCanEach(ctx, time.Time{}, session.WhoCan{Action: schema.ActionRead, Kind: s.Kinds()[0]}, func(analysis.Access) error {
		if calls++; calls == 500 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	// WhoCanEach has waited for its workers, but a worker that has called
	// Done may still be counted for a moment while it exits (seen once in CI
	// on a loaded machine): a leaked one would stay.
	// (Polled here: require.Eventually runs goroutines of its own.)
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "WhoCanEach left goroutines behind")
}

// resourcesOfKind lists the resources of kind, sorted by id.
func resourcesOfKind(p *projection.Projection, kind string) []string {
	var out []string
	lo, hi := p.Range(projection.Resource)
	for n := lo; n < hi; n++ {
		if p.ResourceKind(n) == kind {
			out = append(out, p.ID(n))
		}
	}
	slices.Sort(out)
	return out
}

// sameAccesses fails at the first access where got differs from want
// (testify's diff of two whole answers of this size would take minutes).
func sameAccesses(t *testing.T, want, got []analysis.Access, q session.WhoCan) {
	t.Helper()
	for i := range min(len(want), len(got)) {
		require.Equal(t, want[i], got[i], "%+v: access %d", q, i)
	}
	require.Equal(t, len(want), len(got), "%+v: accesses", q)
}
