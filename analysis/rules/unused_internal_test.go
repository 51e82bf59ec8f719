package rules

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// TestUnusedGrantBatches: handing the unused-grant findings out in many
// batches (by principal), with their stale grants held in memory or
// written to a temporary file, gives the findings one batch gives; and so
// does streaming the grants instead of reading them from the records.
func TestUnusedGrantBatches(t *testing.T) {
	snap := generated(t, "XS", 4)
	rs, err := Builtin()
	require.NoError(t, err)
	one, err := Evaluate(context.Background(), snap, rs)
	require.NoError(t, err)
	unused := 0
	for i := range one {
		if one[i].Rule == "HYG-UNUSED-GRANT" {
			unused++
		}
	}
	require.Greater(t, unused, 50)
	require.ElementsMatch(t, plainUnused(t, snap, rs), unusedOf(one), "the findings of the rule's definition")

	// The records without their edges, and the grants streamed.
	nodes := *snap.Data
	nodes.GrantList, nodes.MembershipList, nodes.DelegationList = nil, nil, nil
	nodes.Info.Counts.Grants = len(snap.Data.GrantList)
	streamed := Snapshot{Engine: snap.Engine, Data: &nodes, Grants: snap.Data.Grants}

	defer func(per, chunk, budget int) { unusedPerBatch, unusedChunk, unusedBudget = per, chunk, budget }(unusedPerBatch, unusedChunk, unusedBudget)
	for _, c := range []struct {
		name               string
		per, chunk, budget int
		snap               Snapshot
		wantBatchesAtLeast int
	}{
		{"many batches", 7, 64 << 10, 64 << 20, snap, 4},
		{"spilled", 7, 64, 0, snap, 4},
		{"half spilled", 5, 128, 2048, snap, 4},
		{"streamed", 250_000, 64 << 10, 64 << 20, streamed, 1},
		{"streamed, spilled", 7, 64, 0, streamed, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			unusedPerBatch, unusedChunk, unusedBudget = c.per, c.chunk, c.budget
			batches := 0
			var many []Finding
			var mu sync.Mutex
			require.NoError(t, Stream(context.Background(), c.snap, rs, func(fs []Finding) error {
				mu.Lock() // actor batches come from several workers at once
				defer mu.Unlock()
				if fs[0].Rule == "HYG-UNUSED-GRANT" {
					batches++
				}
				many = append(many, fs...)
				return nil
			}))
			Sort(many)
			require.GreaterOrEqual(t, batches, c.wantBatchesAtLeast)
			require.Equal(t, one, many)
		})
	}
}

// A damaged stale-grant record is an error, not a wrong finding.
func TestReadStaleDamaged(t *testing.T) {
	g := graph.Grant{Principal: "p", Resource: "r", Action: "write", Native: "n"}
	b := appendStale(nil, &g, "low", 120)
	var f Finding
	rest, err := readStale(b, &f, 90)
	require.NoError(t, err)
	require.Empty(t, rest)
	require.Equal(t, "grant p write on r last used 120 days ago (threshold 90)", f.Message)
	for n := range len(b) {
		_, err := readStale(b[:n], &f, 90)
		require.ErrorIs(t, err, errStale, "cut at %d", n)
	}
}

// unusedOf is the unused-grant findings of fs, ids left out.
func unusedOf(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == "HYG-UNUSED-GRANT" {
			f.ID = ""
			out = append(out, f)
		}
	}
	return out
}

// plainUnused is the unused-grant findings of the rule's definition,
// straight from the grant records.
func plainUnused(t *testing.T, snap Snapshot, rs *Ruleset) []Finding {
	t.Helper()
	x := newIndex(snap)
	var r Rule
	for _, h := range rs.Rules {
		if h.Check == CheckUnusedGrant {
			r = h
		}
	}
	require.Equal(t, "HYG-UNUSED-GRANT", r.ID)
	days := rs.Settings.UnusedGrantDays
	var out []Finding
	for _, g := range snap.Data.GrantList {
		if (!g.ExpiresAt.IsZero() && !g.ExpiresAt.After(x.asOf)) || g.ValidFrom.After(x.asOf) {
			continue
		}
		if i, ok := x.recs.Identity(g.Principal); ok && !inScope(r, i) {
			continue
		}
		age := ageDays(g.LastUsedAt, x.asOf)
		if age < days {
			continue
		}
		sev := r.Severity
		if sox, _ := snap.Engine.InSOXScope(g.Resource); sox && g.Action.Critical() && r.CriticalSeverity != "" {
			sev = r.CriticalSeverity
		}
		f := Finding{Identity: g.Principal, Resource: g.Resource, Action: g.Action, Severity: sev,
			Paths: []analysis.Path{{{From: g.Principal, Edge: schema.EdgeGrant, To: g.Resource, Action: g.Action, Native: g.Native,
				Conditional: g.Conditional, ValidFrom: g.ValidFrom.UTC(), ExpiresAt: g.ExpiresAt.UTC()}}},
			Message: fmt.Sprintf("grant %s %s on %s last used %d days ago (threshold %d)", g.Principal, g.Action, g.Resource, age, days)}
		x.finish(r, &f)
		f.ID = ""
		out = append(out, f)
	}
	return out
}
