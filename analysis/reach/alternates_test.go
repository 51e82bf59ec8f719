package reach_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// shortestSet is every shortest path of one access, the evidence and its
// alternates, each with its authentication, as comparable strings.
func shortestSet(acc analysis.Access) []string {
	one := func(p analysis.Path, au *analysis.Authentication) string {
		b, _ := json.Marshal(p) // every field: parallel edges may differ only in a window
		c, _ := json.Marshal(au)
		return string(b) + " auth " + string(c)
	}
	out := []string{one(acc.Paths[0], acc.Authentication)}
	for _, al := range acc.Alternates {
		out = append(out, one(al.Path, al.Authentication))
	}
	slices.Sort(out)
	return out
}

// reachAll asks Reach for every identity of d with up to limit alternates.
func reachAll(t *testing.T, d *graph.Dataset, limit int) map[string][]analysis.Access {
	t.Helper()
	e, _, err := buildEngine(d, refAsOf)
	if err != nil {
		t.Fatalf("projection.Build: %v\n%s", err, dumpDataset(d))
	}
	out := map[string][]analysis.Access{}
	for _, x := range d.IdentityList {
		accs, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x.ID, Alternates: limit})
		if err != nil {
			t.Fatalf("Reach(%q): %v", x.ID, err)
		}
		out[x.ID] = accs
	}
	return out
}

// TestReachAlternates checks the all-shortest-paths listing on random graphs:
// asking for alternates changes nothing else in the answer; every alternate
// is a valid path in the data, as short as the evidence, walkable with a
// valid authentication when the access is effective, and listed once; and
// the set of shortest paths of every access is the same whatever order the
// records come in (which path is found first depends on that order).
func TestReachAlternates(t *testing.T) {
	n := numSeeds(t, 150)
	withAlts := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		d := genGraph(seed+30_000, genOpts{})
		m := newRefModel(d, refAsOf)
		plain := reachAll(t, d, 0)
		all := reachAll(t, d, 1000)
		for x, accs := range all {
			if len(accs) != len(plain[x]) {
				t.Fatalf("seed %d: %s has %d accesses with alternates, %d without\n%s", seed, x, len(accs), len(plain[x]), dumpDataset(d))
			}
			for i, acc := range accs {
				if acc.AlternatesCapped {
					t.Fatalf("seed %d: %s %s %s capped at 1000", seed, x, acc.Action, acc.Resource)
				}
				bare := acc
				bare.Alternates = nil
				if a, b := asJSON(bare), asJSON(plain[x][i]); a != b {
					t.Fatalf("seed %d: asking for alternates changed the answer:\n%s\nagainst\n%s", seed, a, b)
				}
				seen := map[string]bool{}
				for _, s := range shortestSet(acc) {
					if seen[s] {
						t.Fatalf("seed %d: %s %s %s lists a path twice: %s", seed, x, acc.Action, acc.Resource, s)
					}
					seen[s] = true
				}
				if len(acc.Alternates) > 0 {
					withAlts++
				}
				for _, al := range acc.Alternates {
					tag := fmt.Sprintf("seed %d: %s %s %s alternate %s", seed, x, acc.Action, acc.Resource, pathString(al.Path))
					info, err := m.checkPath(al.Path, x, acc.Resource, acc.Action, acc.Effective)
					if err != nil {
						t.Fatalf("%s: invalid (walk=%v): %v\n%s", tag, acc.Effective, err, dumpDataset(d))
					}
					if len(al.Path) != len(acc.Paths[0]) {
						t.Fatalf("%s: %d hops, the evidence has %d", tag, len(al.Path), len(acc.Paths[0]))
					}
					if !acc.Effective {
						if al.Authentication != nil {
							t.Fatalf("%s: a latent access's alternate carries authentication", tag)
						}
						continue
					}
					if err := m.checkAuth(al.Authentication, acc.Resource, info); err != nil {
						t.Fatalf("%s: %v", tag, err)
					}
				}
			}
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		for range 3 {
			c := shuffled(d, rng)
			got := reachAll(t, c, 1000)
			for x, accs := range all {
				for i, acc := range accs {
					a, b := shortestSet(acc), shortestSet(got[x][i])
					if !slices.Equal(a, b) {
						t.Fatalf("seed %d: %s %s %s: shortest paths depend on the input order:\n%q\nafter shuffling\n%q\n%s",
							seed, x, acc.Action, acc.Resource, a, b, dumpDataset(c))
					}
				}
			}
		}
	}
	if withAlts == 0 {
		t.Fatalf("no access of %d graphs had a second shortest path: the test checks nothing", n)
	}
	t.Logf("%d accesses with alternates", withAlts)
}

// TestReachAlternatesByHand: alice is in g-a, g-b and g-c; g-a and g-b grant
// write on sap:je and g-c admin on its system, so she has three paths of two
// hops. She also reaches g-a through g-deep (three hops): not a shortest
// path, not listed. A limit caps the list and says so.
func TestReachAlternatesByHand(t *testing.T) {
	d := &graph.Dataset{}
	d.SystemList = []graph.System{{ID: "sap"}}
	d.ResourceList = []graph.Resource{{ID: "sap:je", System: "sap"}}
	d.IdentityList = []graph.Identity{{ID: "alice", Type: schema.IdentityHuman, Status: schema.StatusActive}}
	d.GroupList = []graph.Group{{ID: "g-a"}, {ID: "g-b"}, {ID: "g-c"}, {ID: "g-deep"}}
	d.MembershipList = []graph.Membership{
		{Member: "alice", Group: "g-b"}, {Member: "alice", Group: "g-a"}, {Member: "alice", Group: "g-c"},
		{Member: "alice", Group: "g-deep"}, {Member: "g-deep", Group: "g-a"},
	}
	d.GrantList = []graph.Grant{
		{Principal: "g-a", Resource: "sap:je", Action: schema.ActionWrite, Native: "A"},
		{Principal: "g-b", Resource: "sap:je", Action: schema.ActionWrite, Native: "B"},
		{Principal: "g-c", Resource: "sap", Action: schema.ActionAdmin, Native: "C"},
	}
	e, _, err := buildEngine(d, refAsOf)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(limit int) analysis.Access {
		accs, err := e.Reach(context.Background(), reach.ReachQuery{Identity: "alice", Actions: []schema.Action{schema.ActionWrite}, Alternates: limit})
		if err != nil || len(accs) != 1 {
			t.Fatalf("Reach: %v, %d accesses", err, len(accs))
		}
		return accs[0]
	}
	acc := ask(10)
	// The evidence is whichever the search met first; the others are
	// sorted by content. The path through g-deep is longer and not listed.
	var got []string
	for _, p := range append([]analysis.Path{acc.Paths[0]}, pathsOf(acc.Alternates)...) {
		got = append(got, p[0].To+" "+p[1].Native)
	}
	slices.Sort(got)
	want := []string{"g-a A", "g-b B", "g-c C"}
	if !slices.Equal(got, want) || acc.AlternatesCapped {
		t.Fatalf("shortest paths %q (capped %v), want %q", got, acc.AlternatesCapped, want)
	}
	alts := pathsOf(acc.Alternates)
	if !slices.IsSortedFunc(alts, func(a, b analysis.Path) int { return strings.Compare(a[0].To, b[0].To) }) {
		t.Fatalf("alternates not sorted by content: %s", pathString(alts[0]))
	}
	if one := ask(1); len(one.Alternates) != 1 || !one.AlternatesCapped {
		t.Fatalf("limit 1: %d alternates, capped %v; want 1, true", len(one.Alternates), one.AlternatesCapped)
	}
	if none := ask(0); none.Alternates != nil || none.AlternatesCapped {
		t.Fatalf("no alternates asked, got %d", len(none.Alternates))
	}
}

func pathsOf(als []analysis.Alternate) []analysis.Path {
	out := make([]analysis.Path, len(als))
	for i, al := range als {
		out[i] = al.Path
	}
	return out
}

// TestReachPathsFor checks the evidence filter on random graphs: an access
// PathsFor refuses keeps its flags and loses only its evidence (marked
// PathsSkipped); one it accepts is exactly as without the filter,
// alternates included; the filter sees each access once, before its
// evidence, with the flags it ends with.
func TestReachPathsFor(t *testing.T) {
	n := numSeeds(t, 100)
	skipped, kept := 0, 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		d := genGraph(seed+40_000, genOpts{})
		e, _, err := buildEngine(d, refAsOf)
		if err != nil {
			t.Fatalf("projection.Build: %v\n%s", err, dumpDataset(d))
		}
		for _, x := range d.IdentityList {
			full, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x.ID, Alternates: 8})
			if err != nil {
				t.Fatal(err)
			}
			var seen []string
			// Refuse about half the accesses, by a hash of the resource and action.
			want := func(a *analysis.Access) bool {
				if a.Paths != nil || a.Authentication != nil || a.Alternates != nil {
					t.Fatalf("seed %d: PathsFor saw the evidence of %s %s %s", seed, x.ID, a.Action, a.Resource)
				}
				seen = append(seen, asJSON(*a))
				return (len(a.Resource)+int(a.Resource[len(a.Resource)-1])+len(a.Action))%2 == 0
			}
			part, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x.ID, Alternates: 8, PathsFor: want})
			if err != nil {
				t.Fatal(err)
			}
			if len(part) != len(full) || len(seen) != len(full) {
				t.Fatalf("seed %d: %s: %d accesses with PathsFor (%d seen), %d without", seed, x.ID, len(part), len(seen), len(full))
			}
			for i := range full {
				got, all := part[i], full[i]
				if !got.PathsSkipped {
					kept++
					if a, b := asJSON(got), asJSON(all); a != b || !slices.Equal(shortestSet(got), shortestSet(all)) {
						t.Fatalf("seed %d: an access PathsFor accepted differs:\n%s\nagainst\n%s", seed, a, b)
					}
					continue
				}
				skipped++
				if got.Paths != nil || got.Authentication != nil || got.Alternates != nil {
					t.Fatalf("seed %d: a refused access has evidence: %s", seed, asJSON(got))
				}
				bare := all
				bare.Paths, bare.Authentication, bare.Alternates, bare.AlternatesCapped = nil, nil, nil, false
				if a, b := asJSON(got), asJSON(bare); a != b {
					t.Fatalf("seed %d: a refused access lost more than its evidence:\n%s\nagainst\n%s", seed, a, b)
				}
				if seen[i] != asJSON(bare) {
					t.Fatalf("seed %d: PathsFor saw %s, the access is %s", seed, seen[i], asJSON(bare))
				}
			}
		}
	}
	if skipped == 0 || kept == 0 {
		t.Fatalf("the filter was not exercised both ways: %d skipped, %d kept", skipped, kept)
	}
}

// TestReachSharedWalkAuthSystem: one grant on a parent resource covers a
// child the data puts in another system. Both effective accesses share the
// walk (one state, one grant) and its path, but each authentication names
// its own resource's system.
func TestReachSharedWalkAuthSystem(t *testing.T) {
	d := &graph.Dataset{}
	d.SystemList = []graph.System{{ID: "erp"}, {ID: "bi"}}
	d.ResourceList = []graph.Resource{{ID: "erp:ledger", System: "erp"}, {ID: "bi:ledger-view", System: "bi", Parent: "erp:ledger"}}
	d.IdentityList = []graph.Identity{{ID: "svc", Type: schema.IdentityServiceAccount, Status: schema.StatusActive}}
	d.CredentialList = []graph.Credential{{ID: "svc-key", Identity: "svc", Type: schema.CredAPIKey}}
	d.GrantList = []graph.Grant{{Principal: "svc", Resource: "erp:ledger", Action: schema.ActionRead}}
	e, _, err := buildEngine(d, refAsOf)
	if err != nil {
		t.Fatalf("projection.Build: %v", err)
	}
	accs, err := e.Reach(context.Background(), reach.ReachQuery{Identity: "svc", Actions: []schema.Action{schema.ActionRead}})
	if err != nil || len(accs) != 2 {
		t.Fatalf("Reach: %v, %d accesses", err, len(accs))
	}
	got := map[string]string{}
	for _, a := range accs {
		if !a.Effective || a.Authentication == nil {
			t.Fatalf("%s not effective: %s", a.Resource, asJSON(a))
		}
		got[a.Resource] = a.Authentication.System
	}
	want := map[string]string{"erp:ledger": "erp", "bi:ledger-view": "bi"}
	if !maps.Equal(got, want) {
		t.Fatalf("authentication systems %v, want %v", got, want)
	}
	if asJSON(accs[0].Paths) != asJSON(accs[1].Paths) {
		t.Fatalf("one walk, two paths: %s / %s", asJSON(accs[0].Paths), asJSON(accs[1].Paths))
	}
}
