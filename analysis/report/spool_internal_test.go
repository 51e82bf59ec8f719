package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/schema"
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

// requireStopsAt runs each with an fn that fails at its stopAt-th call,
// for every stopAt: each returns that error and calls fn no more.
func requireStopsAt(t *testing.T, stopAts []int, each func(fn func() error) error) {
	t.Helper()
	boom := errors.New("boom")
	for _, stopAt := range stopAts {
		calls := 0
		err := each(func() error {
			if calls++; calls == stopAt {
				return boom
			}
			return nil
		})
		require.ErrorIs(t, err, boom, "stop at %d", stopAt)
		require.Equal(t, stopAt, calls, "fn is not called after its error")
	}
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
	requireStopsAt(t, []int{1, 64, 65, 200, len(order)}, func(fn func() error) error {
		return sp.Findings(func(*rules.Finding) error { return fn() })
	})
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

// The merge reads each run ahead on a goroutine of its own, in batches: it
// gives the records of runs several batches long in report order with
// their own JSON (each still intact after later batches are read), stops
// at fn's error and returns it, and leaves no reader behind.
func TestSpoolMergeReadsAhead(t *testing.T) {
	defer func(n int) { batchRecords = n }(batchRecords)
	batchRecords = 16
	held := spoolOf(t, 0)
	slices.SortFunc(held.recs, compareRecords)
	sp := spoolOf(t, 64<<10)
	require.Greater(t, len(sp.runs), 2)
	var ids []string
	var recs []*Record
	require.NoError(t, sp.Each(func(r *Record) error {
		ids = append(ids, r.ID)
		recs = append(recs, r)
		return nil
	}))
	require.Len(t, ids, len(held.recs))
	perRun := len(ids) / len(sp.runs)
	require.Greater(t, perRun, 2*batchRecords, "runs span several batches")
	for i, r := range held.recs {
		require.Equal(t, r.ID, ids[i])
	}
	// Records stay valid only during fn; copies made during it stay equal.
	var js []string
	require.NoError(t, sp.Each(func(r *Record) error { js = append(js, string(r.JSON)); return nil }))
	for i, r := range held.recs {
		require.Equal(t, string(r.JSON), js[i], r.ID)
	}

	before := runtime.NumGoroutine()
	requireStopsAt(t, []int{1, batchRecords, batchRecords + 1, len(ids) / 2, len(ids)}, func(fn func() error) error {
		return sp.Each(func(*Record) error { return fn() })
	})
	require.Equal(t, before, runtime.NumGoroutine(), "every reader ends with the merge")
}

// Every finding of a spooled report finds its own root-cause group (the
// CSV's root_cause_group and root_cause columns), after the groups are
// sorted, and the groups put together from their spilled items list every
// finding once, in report order, whatever the budget.
func TestSpooledGroupOfFinding(t *testing.T) {
	for _, budget := range []int{64 << 10, 1 << 30} {
		sp := spoolOf(t, budget)
		r, err := NewFromSpool("s-1", time.Now(), "", sp)
		require.NoError(t, err)
		require.Nil(t, r.Groups)
		if budget < 1<<20 {
			require.Greater(t, len(r.spooled.runs), 2, "a small budget sorts the items in several runs")
			require.Positive(t, r.spooled.pool.Spilled(), "a small budget spills the items")
		}
		type seen struct {
			change string
			ids    map[string]bool
		}
		groups := map[string]seen{}
		var order []string
		require.NoError(t, r.eachGroup(func(i int, g *Group) error {
			require.Equal(t, len(order), i)
			require.Equal(t, g.Count+g.Suppressed, len(g.Findings))
			require.Equal(t, g.Findings[0], g.Representative)
			s := seen{g.Change, map[string]bool{}}
			for _, id := range g.Findings {
				s.ids[id] = true
			}
			groups[g.ID] = s
			order = append(order, g.ID)
			return nil
		}))
		require.Greater(t, len(groups), 100)
		require.Equal(t, r.groupCount(), len(groups))
		n := 0
		var inOrder []string
		require.NoError(t, r.each(func(f *rules.Finding) error {
			id, change := r.groupRef(f)
			g, ok := groups[id]
			require.True(t, ok, f.ID)
			require.True(t, g.ids[f.ID], f.ID)
			require.Equal(t, g.change, change, f.ID)
			inOrder = append(inOrder, f.ID)
			n++
			return nil
		}))
		require.Equal(t, sp.Len(), n)
		// The same groups, in the same order, as the in-memory tally.
		mem := New("s-1", time.Now(), "", generatedFindings(t))
		require.Len(t, mem.Groups, len(order))
		for i := range mem.Groups {
			require.Equal(t, mem.Groups[i].ID, order[i])
			require.Len(t, groups[order[i]].ids, len(mem.Groups[i].Findings))
		}
	}
}

// eachAhead gives the groups each gives, in the same order and whole,
// across batches; it stops at fn's error and returns it, and leaves no
// goroutine behind.
func TestGroupsReadAhead(t *testing.T) {
	defer func(n int) { groupBatch = n }(groupBatch)
	groupBatch = 7
	r, err := NewFromSpool("s-1", time.Now(), "", spoolOf(t, 64<<10))
	require.NoError(t, err)
	var want, got []Group
	require.NoError(t, r.spooled.each(func(i int, g *Group) error { want = append(want, *g); return nil }))
	require.Greater(t, len(want), 3*groupBatch)
	require.NoError(t, r.spooled.eachAhead(func(i int, g *Group) error {
		require.Equal(t, len(got), i)
		got = append(got, *g)
		return nil
	}))
	require.Equal(t, want, got)

	before := runtime.NumGoroutine()
	requireStopsAt(t, []int{1, groupBatch, groupBatch + 1, len(want)}, func(fn func() error) error {
		return r.spooled.eachAhead(func(int, *Group) error { return fn() })
	})
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "the producer ends with eachAhead")
}

// Findings with one cause key whose changes print differently (the same
// edge with another validity window) share a group whose change is its
// first finding's; the CSV of a spooled report prints that change on every
// row of the group, as the in-memory report does.
func TestSpooledGroupChangeDiffers(t *testing.T) {
	hop := analysis.Hop{From: "i", Edge: schema.EdgeMemberOf, To: "g"}
	windowed := hop
	windowed.ExpiresAt = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	var fs []rules.Finding
	for i, h := range []analysis.Hop{hop, windowed, hop, windowed} {
		fs = append(fs, rules.Finding{ID: fmt.Sprintf("f-%d", i), Rule: "R", Category: schema.CatToxicPath,
			Severity: schema.SeverityHigh, Identity: fmt.Sprintf("i-%d", i%2), Fix: &reach.Fix{Cut: []analysis.Hop{h}}})
	}
	fs = append(fs, rules.Finding{ID: "f-other", Rule: "R", Category: schema.CatToxicPath, Severity: schema.SeverityLow,
		Identity: "i-9", Fix: &reach.Fix{Cut: []analysis.Hop{{From: "x", Edge: schema.EdgeMemberOf, To: "y"}}}})
	_, _, _, plain := Cause(&fs[0])
	_, _, _, other := Cause(&fs[1])
	require.NotEqual(t, plain, other, "the window shows in the change")
	sp, err := NewSpool(t.TempDir(), 1<<20)
	require.NoError(t, err)
	defer sp.Close()
	require.NoError(t, sp.Add(slices.Clone(fs)))
	r, err := NewFromSpool("s-1", time.Now(), "", sp)
	require.NoError(t, err)
	require.Equal(t, 2, r.groupCount())
	mem := New("s-1", r.AsOf, "", slices.Clone(fs))
	require.Len(t, mem.Groups, 2)
	var a, b bytes.Buffer
	require.NoError(t, mem.CSV(&a))
	require.NoError(t, r.CSV(&b))
	require.Equal(t, a.String(), b.String())
	first := mem.Groups[0].Change // the group's first finding in report order: f-0
	require.Equal(t, plain, first)
	require.Equal(t, 5, strings.Count(b.String(), mem.Groups[0].ID)+strings.Count(b.String(), mem.Groups[1].ID))
	require.Equal(t, 4, strings.Count(b.String(), ","+first+","), "every row of the group names its change")
	a.Reset()
	b.Reset()
	require.NoError(t, mem.JSON(&a))
	require.NoError(t, r.JSON(&b))
	require.Equal(t, a.String(), b.String())
}

// A spool's runs are compressed on disk: the findings' JSON and the records
// beside it take a fraction of their size (about an eighth on a generated
// estate), and a damaged run is an error naming the run, not a short read.
func TestSpoolRunsCompressed(t *testing.T) {
	sp := spoolOf(t, 64<<10)
	require.Greater(t, len(sp.runs), 2)
	raw := 0
	require.NoError(t, sp.Each(func(r *Record) error { raw += r.size(); return nil }))
	onDisk := int64(0)
	for _, run := range sp.runs {
		for _, name := range []string{run, run + bodySuffix} {
			st, err := os.Stat(name)
			require.NoError(t, err)
			onDisk += st.Size()
		}
	}
	require.Less(t, onDisk*4, int64(raw), "runs on disk %d bytes for %d bytes of records", onDisk, raw)

	body := sp.runs[1] + bodySuffix
	b, err := os.ReadFile(body)
	require.NoError(t, err)
	for i := len(b) / 2; i < len(b)/2+64; i++ {
		b[i] ^= 0x5a
	}
	require.NoError(t, os.WriteFile(body, b, 0o600))
	err = sp.Each(func(*Record) error { return nil })
	require.ErrorContains(t, err, "report spool: read "+sp.runs[1])
	require.NotErrorIs(t, err, io.ErrUnexpectedEOF)
}

// A spool with more runs than one merge reads at once (maxFanIn) first
// merges them, maxFanIn at a time, into longer runs: the records come back
// in the same order with the same fields and JSON as from a merge of every
// run at once, no more than maxFanIn runs are left, and the merged runs'
// files are gone.
func TestSpoolReducesRunsToFanIn(t *testing.T) {
	type rec struct {
		r    Record
		json string
		cut  string
	}
	read := func(sp *Spool, withJSON bool) []rec {
		var out []rec
		each := sp.eachMeta
		if withJSON {
			each = sp.Each
		}
		require.NoError(t, each(func(r *Record) error {
			c := *r
			c.JSON, c.Cut = nil, nil
			out = append(out, rec{r: c, json: string(r.JSON), cut: string(r.Cut)})
			return nil
		}))
		return out
	}
	all := spoolOf(t, 64<<10)
	require.Greater(t, len(all.runs), 7, "enough runs for two levels of merges at a fan-in of 3")
	want := read(all, true)

	defer func(n int) { maxFanIn = n }(maxFanIn)
	maxFanIn = 3
	sp := spoolOf(t, 64<<10)
	before := len(sp.runs)
	require.Equal(t, want, read(sp, true))
	require.LessOrEqual(t, len(sp.runs), 3)
	require.Less(t, len(sp.runs), before)
	files, err := os.ReadDir(sp.Dir())
	require.NoError(t, err)
	require.Len(t, files, 2*len(sp.runs)+1, "each run's two files and the pid file")
	// Read again (a report reads a spool several times): no more merging.
	runs := slices.Clone(sp.runs)
	require.Equal(t, want, read(sp, true))
	require.Equal(t, runs, sp.runs)
	metaOnly := read(sp, false)
	require.Len(t, metaOnly, len(want))
	for i := range want {
		require.Equal(t, want[i].r.ID, metaOnly[i].r.ID)
	}
}
