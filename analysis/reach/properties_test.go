package reach_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

type accKey struct {
	id, t string
	a     schema.Action
}

type accVal struct {
	effective bool
	pathLen   int
	auth      bool
}

// engineAnswers asks the engine WhoCan for every resource and system and every
// action and returns the answers keyed by (identity, target, action).
func engineAnswers(t *testing.T, d *graph.Dataset) map[accKey]accVal {
	t.Helper()
	e, _, err := buildEngine(d, refAsOf)
	if err != nil {
		t.Fatalf("projection.Build: %v\n%s", err, dumpDataset(d))
	}
	out := map[accKey]accVal{}
	var targets []string
	for _, r := range d.ResourceList {
		targets = append(targets, r.ID)
	}
	for _, s := range d.SystemList {
		targets = append(targets, s.ID)
	}
	for _, tg := range targets {
		for _, a := range schema.Actions {
			got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: tg})
			if err != nil {
				t.Fatalf("WhoCan(%q, %s): %v", tg, a, err)
			}
			for _, acc := range got {
				v := accVal{effective: acc.Effective, auth: acc.Authentication != nil, pathLen: -1}
				if len(acc.Paths) > 0 {
					v.pathLen = len(acc.Paths[0])
				}
				out[accKey{acc.Identity, tg, acc.Action}] = v
			}
		}
	}
	return out
}

// checkMonotone fails when small (the answers before adding something, or
// after removing something) has an authorized or effective access that big
// lacks, or a shortest path that is shorter than big's of the same kind.
func checkMonotone(t *testing.T, what string, small, big map[accKey]accVal, d *graph.Dataset) bool {
	t.Helper()
	for k, s := range small {
		b, ok := big[k]
		switch {
		case !ok:
			t.Errorf("%s: authorized access %v lost\n%s", what, k, dumpDataset(d))
			return false
		case s.effective && !b.effective:
			t.Errorf("%s: effective access %v lost\n%s", what, k, dumpDataset(d))
			return false
		case s.effective == b.effective && b.pathLen > s.pathLen:
			t.Errorf("%s: access %v shortest path grew from %d to %d\n%s", what, k, s.pathLen, b.pathLen, dumpDataset(d))
			return false
		}
	}
	return true
}

func sameAuthorized(t *testing.T, what string, x, y map[accKey]accVal, d *graph.Dataset) bool {
	t.Helper()
	for k := range x {
		if _, ok := y[k]; !ok {
			t.Errorf("%s: authorized access %v changed\n%s", what, k, dumpDataset(d))
			return false
		}
	}
	if len(x) != len(y) {
		t.Errorf("%s: authorized set changed from %d to %d accesses\n%s", what, len(x), len(y), dumpDataset(d))
		return false
	}
	return true
}

// TestMonotonicity: adding a membership, grant, delegation or valid credential
// never removes an authorized or effective access nor lengthens a shortest
// path; removing one never adds; disabling an identity or revoking a credential
// leaves authorization alone (R4 ignores status and validity) and never adds
// effective access; effective ⊆ authorized throughout.
func TestMonotonicity(t *testing.T) {
	n := numSeeds(t, 240)
	for seed := uint64(1); seed <= uint64(n); seed++ {
		rng := rand.New(rand.NewPCG(seed, 77))
		d := genGraph(seed+10_000, genOpts{})
		base := engineAnswers(t, d)
		var principals, groups, identities, targets, systems []string
		for _, i := range d.IdentityList {
			principals = append(principals, i.ID)
			identities = append(identities, i.ID)
		}
		for _, g := range d.GroupList {
			principals = append(principals, g.ID)
			groups = append(groups, g.ID)
		}
		for _, r := range d.ResourceList {
			targets = append(targets, r.ID)
		}
		for _, s := range d.SystemList {
			targets = append(targets, s.ID)
			systems = append(systems, s.ID)
		}
		pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }

		type mutation struct {
			name string
			grow bool // true: adds, false: removes
			same bool // authorization must not change at all
			mut  func(c *graph.Dataset) bool
		}
		muts := []mutation{
			{"add membership", true, false, func(c *graph.Dataset) bool {
				c.MembershipList = append(c.MembershipList, graph.Membership{Member: pick(principals), Group: pick(groups)})
				return true
			}},
			{"add grant", true, false, func(c *graph.Dataset) bool {
				c.GrantList = append(c.GrantList, graph.Grant{Principal: pick(principals), Action: schema.Actions[rng.IntN(5)], Resource: pick(targets), Native: "added"})
				return true
			}},
			{"add delegation", true, false, func(c *graph.Dataset) bool {
				dl := graph.Delegation{From: pick(principals), To: pick(identities), Kind: schema.DelegOther}
				if rng.IntN(2) == 0 {
					dl.System = pick(systems)
				}
				c.DelegationList = append(c.DelegationList, dl)
				return true
			}},
			{"add credential", true, false, func(c *graph.Dataset) bool {
				cr := graph.Credential{ID: fmt.Sprintf("added-cred-%d", rng.IntN(1000)), Identity: pick(identities), Type: schema.CredToken}
				if rng.IntN(2) == 0 {
					cr.Systems = []string{pick(systems)}
				}
				if rng.IntN(2) == 0 {
					cr.StoredIn = pick(targets[:len(d.ResourceList)])
				}
				c.CredentialList = append(c.CredentialList, cr)
				return true
			}},
			{"remove membership", false, false, func(c *graph.Dataset) bool {
				if len(c.MembershipList) == 0 {
					return false
				}
				i := rng.IntN(len(c.MembershipList))
				c.MembershipList = slices.Delete(c.MembershipList, i, i+1)
				return true
			}},
			{"remove grant", false, false, func(c *graph.Dataset) bool {
				if len(c.GrantList) == 0 {
					return false
				}
				i := rng.IntN(len(c.GrantList))
				c.GrantList = slices.Delete(c.GrantList, i, i+1)
				return true
			}},
			{"expire grant", false, false, func(c *graph.Dataset) bool {
				if len(c.GrantList) == 0 {
					return false
				}
				c.GrantList[rng.IntN(len(c.GrantList))].ExpiresAt = refAsOf
				return true
			}},
			{"remove delegation", false, false, func(c *graph.Dataset) bool {
				if len(c.DelegationList) == 0 {
					return false
				}
				i := rng.IntN(len(c.DelegationList))
				c.DelegationList = slices.Delete(c.DelegationList, i, i+1)
				return true
			}},
			{"remove credential", false, false, func(c *graph.Dataset) bool {
				if len(c.CredentialList) == 0 {
					return false
				}
				i := rng.IntN(len(c.CredentialList))
				c.CredentialList = slices.Delete(c.CredentialList, i, i+1)
				return true
			}},
			{"revoke credential", false, true, func(c *graph.Dataset) bool {
				if len(c.CredentialList) == 0 {
					return false
				}
				i := rng.IntN(len(c.CredentialList))
				c.CredentialList[i].Revoked = true
				return true
			}},
			{"expire credential", false, true, func(c *graph.Dataset) bool {
				if len(c.CredentialList) == 0 {
					return false
				}
				c.CredentialList[rng.IntN(len(c.CredentialList))].ExpiresAt = refAsOf
				return true
			}},
			{"disable identity", false, true, func(c *graph.Dataset) bool {
				c.IdentityList[rng.IntN(len(c.IdentityList))].Status = schema.StatusDisabled
				return true
			}},
		}
		for _, mu := range muts {
			c := cloneDataset(d)
			if !mu.mut(c) {
				continue
			}
			after := engineAnswers(t, c)
			for k, v := range after {
				if v.effective != v.auth {
					t.Fatalf("seed %d %s: %v effective=%v but authentication present=%v", seed, mu.name, k, v.effective, v.auth)
				}
			}
			what := fmt.Sprintf("seed %d: %s", seed, mu.name)
			var ok bool
			if mu.grow {
				ok = checkMonotone(t, what, base, after, c)
			} else {
				ok = checkMonotone(t, what, after, base, d)
			}
			if ok && mu.same {
				ok = sameAuthorized(t, what, base, after, c)
			}
			if !ok {
				return
			}
		}
	}
}

// shuffled returns d with every section, and every list inside a record, in a
// random order.
func shuffled(d *graph.Dataset, rng *rand.Rand) *graph.Dataset {
	c := cloneDataset(d)
	sh := func(n int, swap func(i, j int)) { rng.Shuffle(n, swap) }
	sh(len(c.SystemList), func(i, j int) { c.SystemList[i], c.SystemList[j] = c.SystemList[j], c.SystemList[i] })
	sh(len(c.ResourceList), func(i, j int) { c.ResourceList[i], c.ResourceList[j] = c.ResourceList[j], c.ResourceList[i] })
	sh(len(c.IdentityList), func(i, j int) { c.IdentityList[i], c.IdentityList[j] = c.IdentityList[j], c.IdentityList[i] })
	sh(len(c.GroupList), func(i, j int) { c.GroupList[i], c.GroupList[j] = c.GroupList[j], c.GroupList[i] })
	sh(len(c.MembershipList), func(i, j int) {
		c.MembershipList[i], c.MembershipList[j] = c.MembershipList[j], c.MembershipList[i]
	})
	sh(len(c.GrantList), func(i, j int) { c.GrantList[i], c.GrantList[j] = c.GrantList[j], c.GrantList[i] })
	sh(len(c.CredentialList), func(i, j int) {
		c.CredentialList[i], c.CredentialList[j] = c.CredentialList[j], c.CredentialList[i]
	})
	sh(len(c.DelegationList), func(i, j int) {
		c.DelegationList[i], c.DelegationList[j] = c.DelegationList[j], c.DelegationList[i]
	})
	for i := range c.CredentialList {
		s := c.CredentialList[i].Systems
		sh(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	}
	return c
}

// TestShuffleInvariance: the order of the input does not change the answer
// sets (identity, effective) nor the lengths of the evidence paths.
func TestShuffleInvariance(t *testing.T) {
	n := numSeeds(t, 200)
	for seed := uint64(1); seed <= uint64(n); seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		d := genGraph(seed+20_000, genOpts{})
		base := engineAnswers(t, d)
		for range 3 {
			c := shuffled(d, rng)
			got := engineAnswers(t, c)
			if len(got) != len(base) {
				t.Fatalf("seed %d: %d accesses after shuffling, %d before\n%s", seed, len(got), len(base), dumpDataset(c))
			}
			for k, v := range base {
				if g, ok := got[k]; !ok || g != v {
					t.Fatalf("seed %d: access %v was %+v, after shuffling %+v (present %v)\n%s", seed, k, v, g, ok, dumpDataset(c))
				}
			}
		}
	}
}

// TestEffectiveSubsetOfAuthorized checks effective ⊆ authorized on the
// reference itself and on Reach (WhoCan is covered by the differential test).
func TestEffectiveSubsetOfAuthorized(t *testing.T) {
	n := numSeeds(t, 200)
	for seed := uint64(1); seed <= uint64(n); seed++ {
		d := genGraph(seed+30_000, genOpts{})
		m := newRefModel(d, refAsOf)
		e, _, err := buildEngine(d, refAsOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range m.identities {
			for _, tg := range m.targets {
				for _, a := range schema.Actions {
					r := m.access(x, tg, a)
					if r.effective() && !r.authorized() {
						t.Fatalf("reference: (%q,%q,%s) effective but not authorized", x, tg, a)
					}
					if r.effective() && r.effLen < r.authLen {
						t.Fatalf("reference: (%q,%q,%s) walkable path %d shorter than shortest %d", x, tg, a, r.effLen, r.authLen)
					}
				}
			}
			acc, err := e.Reach(context.Background(), reach.ReachQuery{Identity: x})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range acc {
				if a.Effective && !a.Authorized {
					t.Fatalf("seed %d: Reach(%q) %q %s effective but not authorized", seed, x, a.Resource, a.Action)
				}
			}
		}
	}
}

// TestConcurrentQueries: the engine is documented as safe for concurrent use;
// answers given under concurrency equal the sequential ones (run with -race to
// also catch data races on the scratch pool), and repeated queries are
// deterministic.
func TestConcurrentQueries(t *testing.T) {
	n := numSeeds(t, 40)
	for seed := uint64(1); seed <= uint64(n); seed++ {
		d := genGraph(seed+50_000, genOpts{scale: 2})
		e, _, err := buildEngine(d, refAsOf)
		if err != nil {
			t.Fatal(err)
		}
		type q struct {
			t string
			a schema.Action
		}
		var qs []q
		for _, r := range d.ResourceList {
			for _, a := range schema.Actions {
				qs = append(qs, q{r.ID, a})
			}
		}
		want := make([]string, len(qs))
		for i, x := range qs {
			got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: x.a, Resource: x.t})
			if err != nil {
				t.Fatal(err)
			}
			want[i] = asJSON(got)
		}
		wantReach := make([]string, len(d.IdentityList))
		for i, idn := range d.IdentityList {
			got, err := e.Reach(context.Background(), reach.ReachQuery{Identity: idn.ID})
			if err != nil {
				t.Fatal(err)
			}
			wantReach[i] = asJSON(got)
		}
		errs := make(chan string, 8)
		done := make(chan struct{})
		for w := range 4 {
			go func() {
				defer func() { done <- struct{}{} }()
				rng := rand.New(rand.NewPCG(seed, uint64(w)))
				for _, i := range rng.Perm(len(qs)) {
					got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: qs[i].a, Resource: qs[i].t})
					if err != nil || asJSON(got) != want[i] {
						errs <- fmt.Sprintf("seed %d: concurrent WhoCan(%q, %s) differs from the sequential answer (err %v)", seed, qs[i].t, qs[i].a, err)
						return
					}
					j := rng.IntN(len(wantReach))
					gotR, err := e.Reach(context.Background(), reach.ReachQuery{Identity: d.IdentityList[j].ID})
					if err != nil || asJSON(gotR) != wantReach[j] {
						errs <- fmt.Sprintf("seed %d: concurrent Reach(%q) differs from the sequential answer (err %v)", seed, d.IdentityList[j].ID, err)
						return
					}
				}
			}()
		}
		for range 4 {
			<-done
		}
		close(errs)
		for msg := range errs {
			t.Error(msg)
		}
	}
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestWhoCanPathsAreTheirOwn: the accesses of one answer share the blocks
// their evidence paths are cut from (pathSlab), yet each path and each list
// of paths is its own: appending a hop to one, or a path to its list,
// changes no other access of the answer.
func TestWhoCanPathsAreTheirOwn(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 60; seed++ {
		d := genGraph(seed, genOpts{scale: 2})
		e, _, err := buildEngine(d, refAsOf)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range d.ResourceList {
			for _, a := range schema.Actions {
				got, err := e.WhoCan(context.Background(), reach.WhoCanQuery{Action: a, Resource: r.ID})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) < 2 {
					continue
				}
				before, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				for i := range got {
					if len(got[i].Paths) == 0 {
						continue
					}
					bogus := analysis.Hop{From: "x", Edge: schema.EdgeMemberOf, To: "y"}
					p := got[i].Paths[0]
					_ = append(p, bogus)            // into spare capacity, if any
					_ = append(got[i].Paths, p[:1]) // into the list's spare capacity, if any
				}
				after, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				if string(before) != string(after) {
					t.Fatalf("seed %d, %s on %s: appending to one access's path changed the answer", seed, a, r.ID)
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d answers with two accesses or more: the generator changed", checked)
	}
}
