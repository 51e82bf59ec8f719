package session_test

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

func financeStore(t *testing.T) graph.Store {
	t.Helper()
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = ingest.Load(context.Background(), st, []ingest.Source{{Path: filepath.Join("..", "..", "testdata", "finance", "bundle.yaml")}},
		ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}})
	require.NoError(t, err)
	return st
}

func TestUnknownIsAnErrorWithSuggestions(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "")
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		run  func() error
		what string
		want string
	}{
		{name: "kind typo", what: "kind", want: "journal_entry", run: func() error {
			_, err := s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: schema.ActionApprove, Kind: "journal_entries"})
			return err
		}},
		{name: "resource typo", what: "resource", want: "sap:fi:je", run: func() error {
			_, err := s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: schema.ActionApprove, Resource: "sap:fi:jee"})
			return err
		}},
		{name: "system typo", what: "system", want: "sap", run: func() error {
			_, err := s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: schema.ActionApprove, Kind: "journal_entry", System: "sapp"})
			return err
		}},
		{name: "identity typo", what: "identity", want: "bob.k", run: func() error {
			_, err := s.Reach(ctx, time.Time{}, reach.ReachQuery{Identity: "bob.kk"})
			return err
		}},
		{name: "paths from unknown", what: "identity", want: "bob.k", run: func() error {
			_, err := s.Paths(ctx, time.Time{}, "Bob.k", "sap:fi:je", schema.ActionApprove, 1)
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			require.ErrorIs(t, err, session.ErrUnknown)
			var ue *session.UnknownError
			require.ErrorAs(t, err, &ue)
			require.Equal(t, c.what, ue.What)
			require.Contains(t, ue.Suggestions, c.want, "suggestions for %q", ue.ID)
			require.Contains(t, err.Error(), "did you mean")
		})
	}
	_, err = s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: schema.ActionApprove, Kind: "zzzzzzzzzzzz"})
	var ue *session.UnknownError
	require.ErrorAs(t, err, &ue)
	require.Empty(t, ue.Suggestions, "nothing looks like it")
	require.NotContains(t, err.Error(), "did you mean")
}

func TestInvalidQuestions(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "")
	require.NoError(t, err)
	for name, q := range map[string]session.WhoCan{
		"neither":       {Action: schema.ActionRead},
		"both":          {Action: schema.ActionRead, Resource: "sap:fi:je", Kind: "journal_entry"},
		"system alone":  {Action: schema.ActionRead, Resource: "sap:fi:je", System: "sap"},
		"unknown verb":  {Action: "approves", Kind: "journal_entry"},
		"empty action":  {Kind: "journal_entry"},
		"kind, no acts": {Action: "", Resource: "sap:fi:je"},
	} {
		_, err := s.WhoCan(ctx, time.Time{}, q)
		require.Error(t, err, name)
		var enum *schema.EnumError
		require.True(t, errors.Is(err, session.ErrInvalidQuestion) || errors.As(err, &enum), "%s: %v", name, err)
	}
	_, err = s.Paths(ctx, time.Time{}, "bob.k", "sap:fi:je", schema.ActionApprove, session.MaxPathsK+1)
	require.ErrorIs(t, err, session.ErrInvalidQuestion)
}

func TestAsOfDefaultsToCollectedAt(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "")
	require.NoError(t, err)
	meta := s.Meta()
	require.False(t, meta.CollectedAt.IsZero())
	require.Equal(t, meta.CollectedAt.UTC(), s.AsOf(time.Time{}))
	require.Equal(t, meta.CollectedAt.UTC(), s.Engine(time.Time{}).AsOf())
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	require.Equal(t, at.UTC(), s.AsOf(at))
	require.Same(t, s.Engine(at), s.Engine(at.UTC()), "one engine per instant")
}

func TestUnknownSnapshot(t *testing.T) {
	ctx := context.Background()
	st := financeStore(t)
	metas, err := st.Snapshots(ctx)
	require.NoError(t, err)
	id := string(metas[0].ID)
	_, err = session.Open(ctx, st, graph.SnapshotID(id[:len(id)-1]+"z"))
	var ue *session.UnknownError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, "snapshot", ue.What)
	require.Equal(t, []string{id}, ue.Suggestions)
}

func TestFindingsCachedPerInstant(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "", session.WithRecords())
	require.NoError(t, err)
	rs, err := rules.Load()
	require.NoError(t, err)
	_, a, err := s.Findings(ctx, rs, time.Time{})
	require.NoError(t, err)
	require.NotEmpty(t, a)
	_, b, err := s.Findings(ctx, rs, s.Meta().CollectedAt)
	require.NoError(t, err)
	require.Same(t, &a[0], &b[0], "the default instant and collected_at are one evaluation")
	want, err := rules.Evaluate(ctx, rules.Snapshot{Engine: s.Engine(time.Time{}), Data: mustRecords(t, s).Data()}, rs)
	require.NoError(t, err)
	require.Equal(t, want, a)
}

func mustRecords(t *testing.T, s *session.Session) *graph.Index {
	recs, err := s.Records(context.Background())
	require.NoError(t, err)
	return recs
}

// tierS opens a session on a generated tier-S estate (10k identities).
func tierS(t *testing.T) *session.Session {
	t.Helper()
	tier, err := gen.TierByName("S")
	require.NoError(t, err)
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.Ingest(context.Background(), gen.Meta(tier, 1), func(w graph.Writer) error {
		return gen.Generate(context.Background(), tier, 1, w, nil)
	})
	require.NoError(t, err)
	s, err := session.Open(context.Background(), st, "", session.WithRecords())
	require.NoError(t, err)
	return s
}

// TestCancelledWorkStops: work on a large graph whose context is cancelled
// returns context.Canceled within 100 ms of the cancellation instead of
// running to the end (the whole of each takes seconds).
func TestCancelledWorkStops(t *testing.T) {
	s := tierS(t)
	rs, err := rules.Load()
	require.NoError(t, err)
	kind := s.Kinds()[0]
	for _, c := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{name: "whocan kind", run: func(ctx context.Context) error {
			for range 1000 { // bounded, but far longer than the 50 ms before the cancel
				for _, a := range schema.Actions {
					if _, err := s.WhoCan(ctx, time.Time{}, session.WhoCan{Action: a, Kind: kind}); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{name: "findings", run: func(ctx context.Context) error {
			_, _, err := s.Findings(ctx, rs, time.Time{})
			return err
		}},
		{name: "critical identities", run: func(ctx context.Context) error {
			_, err := s.CriticalIdentities(ctx, time.Time{})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- c.run(ctx) }()
			time.Sleep(50 * time.Millisecond)
			cancel()
			at := time.Now()
			err := <-done
			stopped := time.Since(at)
			require.ErrorIs(t, err, context.Canceled, "the work ran to its end before the cancel: make it longer")
			require.Less(t, stopped, 100*time.Millisecond, "stopped %v after the cancel", stopped)
			runtime.GC()
		})
	}
	// Nothing was cached by the cancelled evaluation: a new one completes.
	_, fs, err := s.Findings(context.Background(), rs, time.Time{})
	require.NoError(t, err)
	require.NotEmpty(t, fs)
}

// TestBudgetCutsAndSays: under a budget, a kind question stops with the
// accesses computed so far, a prefix of the full answer, and
// ErrBudgetExceeded; without one it is whole.
func TestBudgetCutsAndSays(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, financeStore(t), "")
	require.NoError(t, err)
	q := session.WhoCan{Action: schema.ActionRead, Kind: "secret"}
	all, err := s.WhoCan(ctx, time.Time{}, q)
	require.NoError(t, err)
	require.Greater(t, len(all), 3)
	b := session.NewBudget(3)
	part, err := s.WhoCan(session.WithBudget(ctx, b), time.Time{}, q)
	require.ErrorIs(t, err, session.ErrBudgetExceeded)
	require.Equal(t, all[:3], part)
	// The budget is per request: the next question under it gets nothing.
	none, err := s.Reach(session.WithBudget(ctx, b), time.Time{}, reach.ReachQuery{Identity: "bob.k"})
	require.ErrorIs(t, err, session.ErrBudgetExceeded)
	require.Empty(t, none)
}
