package reach_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// pathsEngine is the k-shortest-paths query, checked when the engine has it.
type pathsEngine interface {
	Paths(from, resource string, a schema.Action, k int) ([]analysis.Path, error)
}

func buildEngine(d *graph.Dataset, asOf time.Time) (*reach.Engine, *projection.Projection, error) {
	p, err := projection.Build(context.Background(), d)
	if err != nil {
		return nil, nil, err
	}
	return reach.New(p, asOf), p, nil
}

// numSeeds is how many random graphs a differential test covers.
func numSeeds(t *testing.T, full int) int {
	if testing.Short() {
		return full / 4
	}
	return full
}

type mismatches struct {
	list  []string
	limit int
}

func (ms *mismatches) add(format string, args ...any) {
	if len(ms.list) < ms.limit {
		ms.list = append(ms.list, fmt.Sprintf(format, args...))
	}
}

func (ms *mismatches) full() bool { return len(ms.list) >= ms.limit }

func showLen(n int) string {
	if n >= inf {
		return "none"
	}
	return fmt.Sprint(n)
}

// checkAccess compares one access the engine returned against the reference:
// authorized and effective flags, critical, and every evidence path (valid in
// the data, of reference-shortest length; walkable when effective) and the
// authentication.
func checkAccess(m *refModel, ms *mismatches, where string, acc analysis.Access, t string, a schema.Action) {
	x := acc.Identity
	tag := fmt.Sprintf("%s (%q, %q, %s)", where, x, t, a)
	if acc.Resource != t || acc.Action != a {
		ms.add("%s: access names (%q, %s)", tag, acc.Resource, acc.Action)
	}
	if !acc.Authorized {
		ms.add("%s: returned with authorized=false", tag)
	}
	if m.kind[x] != kIdentity {
		ms.add("%s: %q is not an identity", tag, x)
		return
	}
	ref := m.access(x, t, a)
	if !ref.authorized() {
		ms.add("%s: engine says authorized, reference says not (R4)", tag)
		return
	}
	if acc.Effective != ref.effective() {
		ms.add("%s: effective=%v, reference %v (R6; shortest walkable %s)", tag, acc.Effective, ref.effective(), showLen(ref.effLen))
	}
	if want := m.critical(t, a); acc.Critical != want {
		ms.add("%s: critical=%v, reference %v (R8)", tag, acc.Critical, want)
	}
	if len(acc.Paths) == 0 {
		ms.add("%s: no evidence path", tag)
	}
	for _, p := range acc.Paths {
		walk := acc.Effective && ref.effective()
		info, err := m.checkPath(p, x, t, a, walk)
		if err != nil {
			ms.add("%s: invalid path (walk=%v) %s: %v", tag, walk, pathString(p), err)
			continue
		}
		want := ref.authLen
		if walk {
			want = ref.effLen
		}
		if len(p) != want {
			ms.add("%s: path length %d, reference shortest %s (walk=%v) %s", tag, len(p), showLen(want), walk, pathString(p))
		}
		if walk {
			if err := m.checkAuth(acc.Authentication, t, info); err != nil {
				ms.add("%s: %v; path %s", tag, err, pathString(p))
			}
		}
	}
	if !acc.Effective && acc.Authentication != nil {
		ms.add("%s: latent access carries authentication %+v", tag, *acc.Authentication)
	}
}

// compareEngine runs every WhoCan (each resource and system, each action, with
// and without EffectiveOnly), every Reach and, when the engine has it, Paths
// against the reference, and returns the mismatches (at most limit).
func compareEngine(d *graph.Dataset, asOf time.Time, limit int, withPaths bool) []string {
	ms := &mismatches{limit: limit}
	e, p, err := buildEngine(d, asOf)
	if err != nil {
		ms.add("projection.Build: %v", err)
		return ms.list
	}
	m := newRefModel(d, asOf)

	// R7: the projection's actors are the same_as classes.
	ref := m.actorOf()
	for _, x := range m.identities {
		for _, y := range m.identities {
			nx, _ := p.Lookup(x)
			ny, _ := p.Lookup(y)
			if (ref[x] == ref[y]) != (p.Actor(nx) == p.Actor(ny)) {
				ms.add("R7: %q and %q same actor: projection %v, reference %v", x, y, p.Actor(nx) == p.Actor(ny), ref[x] == ref[y])
			}
		}
	}

	for _, t := range m.targets {
		for _, a := range schema.Actions {
			got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: t})
			if err != nil {
				ms.add("WhoCan(%q, %s): %v", t, a, err)
				continue
			}
			seen := map[string]bool{}
			for i, acc := range got {
				if i > 0 && got[i-1].Identity >= acc.Identity {
					ms.add("WhoCan(%q, %s): not sorted by identity or duplicate: %q then %q", t, a, got[i-1].Identity, acc.Identity)
				}
				seen[acc.Identity] = true
				checkAccess(m, ms, "WhoCan", acc, t, a)
			}
			var effOnly []string
			for _, x := range m.identities {
				r := m.access(x, t, a)
				if r.authorized() && !seen[x] {
					ms.add("WhoCan(%q, %s): missing %q (reference: authorized, shortest %d, effective %v)", t, a, x, r.authLen, r.effective())
				}
				if r.effective() {
					effOnly = append(effOnly, x)
				}
			}
			gotEff, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: t, EffectiveOnly: true})
			if err != nil {
				ms.add("WhoCan(%q, %s, effective only): %v", t, a, err)
			}
			var gotEffIDs []string
			for _, acc := range gotEff {
				gotEffIDs = append(gotEffIDs, acc.Identity)
				if !acc.Effective {
					ms.add("WhoCan(%q, %s, effective only): latent %q returned", t, a, acc.Identity)
				}
			}
			if !slices.Equal(gotEffIDs, effOnly) {
				ms.add("WhoCan(%q, %s, effective only): got %q, reference %q", t, a, gotEffIDs, effOnly)
			}
			if ms.full() {
				return ms.list
			}
		}
	}

	// WhoCanKind is WhoCan over every resource of the kind.
	for _, kind := range []string{"secret", "journal_entry"} {
		for _, a := range []schema.Action{schema.ActionRead, schema.ActionWrite} {
			got, err := e.WhoCanKind(context.Background(), kind, "", a, false)
			if err != nil {
				ms.add("WhoCanKind(%q, %s): %v", kind, a, err)
				continue
			}
			var want []string
			for _, r := range d.ResourceList {
				if r.Kind != kind {
					continue
				}
				for _, x := range m.identities {
					if m.access(x, r.ID, a).authorized() {
						want = append(want, r.ID+"\x00"+x)
					}
				}
			}
			slices.Sort(want)
			var gotKeys []string
			for _, acc := range got {
				gotKeys = append(gotKeys, acc.Resource+"\x00"+acc.Identity)
			}
			if !slices.Equal(gotKeys, want) {
				ms.add("WhoCanKind(%q, %s): got %q, want %q", kind, a, gotKeys, want)
			}
		}
	}

	for _, x := range m.identities {
		got, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x})
		if err != nil {
			ms.add("Reach(%q): %v", x, err)
			continue
		}
		seen := map[ta]bool{}
		for i, acc := range got {
			if acc.Identity != x {
				ms.add("Reach(%q): access of %q", x, acc.Identity)
			}
			if m.kind[acc.Resource] != kResource {
				ms.add("Reach(%q): lists %q, which is not a resource", x, acc.Resource)
			}
			if i > 0 {
				pr, pa := got[i-1].Resource, got[i-1].Action.Index()
				if pr > acc.Resource || (pr == acc.Resource && pa >= acc.Action.Index()) {
					ms.add("Reach(%q): not sorted by resource then action: (%q,%s) then (%q,%s)", x, pr, got[i-1].Action, acc.Resource, acc.Action)
				}
			}
			seen[ta{acc.Resource, acc.Action}] = true
			checkAccess(m, ms, "Reach", acc, acc.Resource, acc.Action)
		}
		for _, r := range m.resources {
			for _, a := range schema.Actions {
				if ref := m.access(x, r, a); ref.authorized() && !seen[ta{r, a}] {
					ms.add("Reach(%q): missing (%q, %s) (reference shortest %d, effective %v)", x, r, a, ref.authLen, ref.effective())
				}
			}
		}
		// Filters select from the full answer.
		filtered, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x, Actions: []schema.Action{schema.ActionApprove, schema.ActionRead},
			CriticalOnly: true, EffectiveOnly: true})
		if err != nil {
			ms.add("Reach(%q, filtered): %v", x, err)
		}
		var want, gotF []string
		for _, acc := range got {
			if (acc.Action == schema.ActionApprove || acc.Action == schema.ActionRead) && acc.Critical && acc.Effective {
				want = append(want, acc.Resource+" "+string(acc.Action))
			}
		}
		for _, acc := range filtered {
			gotF = append(gotF, acc.Resource+" "+string(acc.Action))
		}
		if !slices.Equal(gotF, want) {
			ms.add("Reach(%q, approve+read, critical, effective only): got %q, want %q", x, gotF, want)
		}
		if ms.full() {
			return ms.list
		}
	}

	if pe, ok := any(e).(pathsEngine); ok && withPaths {
		comparePaths(m, ms, pe)
	}
	return ms.list
}

// pathsChecked counts the authorized Paths queries checked (tests in this
// package do not run in parallel).
var pathsChecked int

// repeatedPrincipal returns an identity or group a path passes through twice.
func repeatedPrincipal(p analysis.Path) string {
	seen := map[string]bool{}
	for _, h := range p {
		if h.Edge == schema.EdgeMemberOf || h.Edge == schema.EdgeCanActAs || h.Edge == schema.EdgeGrant {
			if seen[h.From] {
				return h.From
			}
			seen[h.From] = true
		}
	}
	return ""
}

// comparePaths checks Paths(k): every path valid, sorted by length, the first
// of reference-shortest length, at most k, no duplicates; nothing when the
// identity is not authorized.
func comparePaths(m *refModel, ms *mismatches, pe pathsEngine) {
	const k = 4
	for _, x := range m.identities {
		for _, t := range m.resources {
			for _, a := range schema.Actions {
				ref := m.access(x, t, a)
				got, err := pe.Paths(x, t, a, k)
				tag := fmt.Sprintf("Paths(%q, %q, %s, %d)", x, t, a, k)
				if !ref.authorized() {
					if err == nil && len(got) > 0 {
						ms.add("%s: reference not authorized, got %d paths, first %s", tag, len(got), pathString(got[0]))
					}
					continue
				}
				if err != nil {
					ms.add("%s: %v", tag, err)
					continue
				}
				if len(got) == 0 || len(got) > k {
					ms.add("%s: %d paths", tag, len(got))
					continue
				}
				if len(got[0]) != ref.authLen {
					ms.add("%s: first path length %d, reference shortest %d: %s", tag, len(got[0]), ref.authLen, pathString(got[0]))
				}
				pathsChecked++
				if again, err := pe.Paths(x, t, a, k); err != nil || !slices.EqualFunc(again, got, func(p, q analysis.Path) bool { return slices.Equal(p, q) }) {
					ms.add("%s: not deterministic: a second call gave %d paths (err %v)", tag, len(again), err)
				}
				dup := map[string]bool{}
				for i, p := range got {
					if rep := repeatedPrincipal(p); rep != "" {
						ms.add("%s: path %d visits %q twice: %s", tag, i, rep, pathString(p))
					}
					if _, err := m.checkPath(p, x, t, a, false); err != nil {
						ms.add("%s: path %d invalid %s: %v", tag, i, pathString(p), err)
					}
					if i > 0 && len(got[i-1]) > len(p) {
						ms.add("%s: not sorted by length: %d then %d", tag, len(got[i-1]), len(p))
					}
					s := pathString(p)
					if dup[s] {
						ms.add("%s: duplicate path %s", tag, s)
					}
					dup[s] = true
				}
			}
		}
		if ms.full() {
			return
		}
	}
}

// reportFailure shrinks a failing dataset and fails the test with a minimal
// reproduction.
func reportFailure(t *testing.T, seed uint64, d *graph.Dataset, asOf time.Time, first []string, fails func(*graph.Dataset) []string) {
	t.Helper()
	small := shrink(d, func(c *graph.Dataset) bool {
		if _, err := projection.Build(context.Background(), c); err != nil {
			return false
		}
		return len(fails(c)) > 0
	})
	t.Errorf("seed %d: %d+ mismatches, first:\n  %s\nminimal reproduction (as_of %s):\n%s\nits mismatches:\n  %s",
		seed, len(first), strings.Join(first[:min(len(first), 5)], "\n  "), asOf.Format(time.RFC3339Nano),
		dumpDataset(small), strings.Join(fails(small), "\n  "))
}

func TestDifferentialAgainstReference(t *testing.T) {
	n := numSeeds(t, 600)
	big := n / 15
	failed := 0
	pathsChecked = 0
	for seed := uint64(1); seed <= uint64(n+big); seed++ {
		o := genOpts{}
		if seed > uint64(n) {
			o.scale = 4 // a few larger graphs
		}
		d := genGraph(seed, o)
		withPaths := seed%4 == 0
		got := compareEngine(d, refAsOf, 20, withPaths)
		if len(got) == 0 {
			continue
		}
		failed++
		if failed <= 3 {
			reportFailure(t, seed, d, refAsOf, got, func(c *graph.Dataset) []string { return compareEngine(c, refAsOf, 5, withPaths) })
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d random graphs disagree with the reference", failed, n+big)
	}
	if _, ok := any(&reach.Engine{}).(pathsEngine); ok {
		require.Greater(t, pathsChecked, 1000, "Paths was barely exercised")
	}
	t.Logf("%d graphs, %d authorized Paths queries checked", n+big, pathsChecked)
}

// TestGeneratorCoverage makes sure the random graphs exercise every rule the
// differential test is meant to check, so a passing run means something.
func TestGeneratorCoverage(t *testing.T) {
	n := numSeeds(t, 600)
	c := map[string]int{}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		d := genGraph(seed, genOpts{})
		m := newRefModel(d, refAsOf)
		for _, x := range m.identities {
			for _, tg := range m.targets {
				for _, a := range schema.Actions {
					r := m.access(x, tg, a)
					if !r.authorized() {
						continue
					}
					c["authorized"]++
					if r.effective() {
						c["effective"]++
						if r.effLen > r.authLen {
							c["walkable longer than shortest"]++
						}
					} else {
						c["latent"]++
						if m.active[x] && len(m.ownSessions(x)) > 0 {
							c["latent with sessions"]++
						}
					}
					if _, ok := m.directlyAuthorized(x, tg, a); !ok {
						c["authorized only through act-as"]++
						if r.effective() {
							c["effective only through act-as"]++
						}
					}
				}
			}
			for _, h := range m.hops[x] {
				switch {
				case h.cred != nil:
					c["exposure hop"]++
					if !m.credValid(h.cred) {
						c["exposure of invalid credential"]++
					}
				case h.deleg.System != "":
					c["delegation hop with system"]++
				default:
					c["delegation hop without system"]++
				}
				if !m.active[h.to] {
					c["hop to disabled identity"]++
				}
			}
		}
		for _, g := range d.GrantList {
			if g.ExpiresAt.Equal(refAsOf) {
				c["grant expiring exactly at as_of"]++
			}
		}
	}
	t.Logf("coverage over %d graphs: %v", n, c)
	for _, k := range []string{"authorized", "effective", "latent", "latent with sessions", "walkable longer than shortest",
		"authorized only through act-as", "effective only through act-as", "exposure hop", "exposure of invalid credential",
		"delegation hop with system", "delegation hop without system", "hop to disabled identity", "grant expiring exactly at as_of"} {
		if c[k] < 20 {
			t.Errorf("generator rarely produces %q (%d times)", k, c[k])
		}
	}
}

// TestWhoCanAgreesWithReach checks the engine against itself: the backward
// search (WhoCan) and the forward search (Reach) give the same accesses, with
// the same effective flag and evidence length, also when resources have
// parents in other systems (where readings of R2 may differ, but the two
// queries must not).
func TestWhoCanAgreesWithReach(t *testing.T) {
	n := numSeeds(t, 300)
	for _, o := range []genOpts{{}, {crossSystemParents: true}} {
		failed := 0
		for seed := uint64(1); seed <= uint64(n); seed++ {
			d := genGraph(seed+40_000, o)
			fails := func(d *graph.Dataset) []string { return whoCanVsReach(d, 10) }
			if got := fails(d); len(got) > 0 {
				failed++
				if failed <= 2 {
					reportFailure(t, seed, d, refAsOf, got, fails)
				}
			}
		}
		if failed > 0 {
			t.Errorf("cross-system parents %v: WhoCan and Reach disagree on %d of %d graphs", o.crossSystemParents, failed, n)
		}
	}
}

func whoCanVsReach(d *graph.Dataset, limit int) []string {
	ms := &mismatches{limit: limit}
	e, _, err := buildEngine(d, refAsOf)
	if err != nil {
		ms.add("projection.Build: %v", err)
		return ms.list
	}
	type v struct {
		eff  bool
		plen int
	}
	fromWho := map[accKey]v{}
	for _, r := range d.ResourceList {
		for _, a := range schema.Actions {
			got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: r.ID})
			if err != nil {
				ms.add("WhoCan: %v", err)
				return ms.list
			}
			for _, acc := range got {
				fromWho[accKey{acc.Identity, r.ID, a}] = v{acc.Effective, len(acc.Paths[0])}
			}
		}
	}
	fromReach := map[accKey]v{}
	for _, i := range d.IdentityList {
		got, err := e.Reach(context.Background(), reach.ReachQuery{Identity: i.ID})
		if err != nil {
			ms.add("Reach: %v", err)
			return ms.list
		}
		for _, acc := range got {
			k := accKey{i.ID, acc.Resource, acc.Action}
			fromReach[k] = v{acc.Effective, len(acc.Paths[0])}
			if w, ok := fromWho[k]; !ok {
				ms.add("%v: Reach has it (effective %v), WhoCan does not", k, acc.Effective)
			} else if w != fromReach[k] {
				ms.add("%v: WhoCan %+v, Reach %+v", k, w, fromReach[k])
			}
		}
	}
	for k, w := range fromWho {
		if _, ok := fromReach[k]; !ok {
			ms.add("%v: WhoCan has it (effective %v), Reach does not", k, w.eff)
		}
	}
	return ms.list
}
