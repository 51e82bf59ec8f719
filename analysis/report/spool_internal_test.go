package report

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/rules"
)

// spoolOf spools the findings of a generated estate, with a budget that
// makes it write runs to files (or none, with budget 0 meaning "hold all").
func spoolOf(t *testing.T, budget int) *Spool {
	t.Helper()
	fs := generatedFindings(t)
	if budget == 0 {
		budget = 1 << 30
	}
	sp, err := NewSpool(t.TempDir(), budget)
	require.NoError(t, err)
	t.Cleanup(func() { sp.Close() })
	for i := 0; i < len(fs); i += 100 {
		require.NoError(t, sp.Add(fs[i:min(i+100, len(fs))]))
	}
	return sp
}

// Findings decodes ahead of its caller on another goroutine: it gives the
// findings in Each's order, stops at the caller's error and returns it,
// names a finding it cannot decode, and leaves no goroutine behind.
func TestSpoolFindingsPipeline(t *testing.T) {
	sp := spoolOf(t, 64<<10)
	require.Greater(t, len(sp.runs), 2)
	var order []string
	require.NoError(t, sp.Each(func(r *Record) error { order = append(order, r.ID); return nil }))
	var got []string
	require.NoError(t, sp.Findings(func(f *rules.Finding) error { got = append(got, f.ID); return nil }))
	require.Equal(t, order, got)

	before := runtime.NumGoroutine()
	boom := errors.New("boom")
	for _, stopAt := range []int{1, 64, 65, 200, len(order)} {
		calls := 0
		err := sp.Findings(func(*rules.Finding) error {
			if calls++; calls == stopAt {
				return boom
			}
			return nil
		})
		require.ErrorIs(t, err, boom)
		require.Equal(t, stopAt, calls, "fn is not called after its error")
	}
	// (Polled here: require.Eventually runs its condition on a goroutine.)
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "the decoding goroutine ends with Findings")

	held := spoolOf(t, 0)
	require.Empty(t, held.runs)
	bad := held.recs[len(held.recs)/2]
	bad.JSON = []byte(`{"id": "x", "paths": [[{"from": 3}]]}`)
	calls := 0
	err := held.Findings(func(*rules.Finding) error { calls++; return nil })
	require.ErrorContains(t, err, "decode finding "+bad.ID)
	require.Less(t, calls, len(held.recs))
}

// Every finding of a spooled report finds its own root-cause group (the
// CSV's root_cause_group column), after the groups are sorted.
func TestSpooledGroupOfFinding(t *testing.T) {
	sp := spoolOf(t, 64<<10)
	r, err := NewFromSpool("s-1", time.Now(), "", sp)
	require.NoError(t, err)
	require.Greater(t, len(r.Groups), 100)
	n := 0
	require.NoError(t, r.each(func(f *rules.Finding) error {
		g := r.group(f)
		require.NotNil(t, g, f.ID)
		require.Contains(t, g.Findings, f.ID)
		n++
		return nil
	}))
	require.Equal(t, sp.Len(), n)
}
