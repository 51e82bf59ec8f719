package diff

import (
	"cmp"
	"slices"
	"time"

	"github.com/reachgraph/reachgraph/analysis"
	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/rules"
)

// Side is one snapshot with its findings.
type Side struct {
	Snapshot rules.Snapshot
	Findings []rules.Finding
}

// AccessChange is a critical access gained or lost; State is "effective" or
// "latent" (an access that turns from latent to effective is lost as latent
// and gained as effective).
type AccessChange struct {
	Identity string          `json:"identity"`
	Resource string          `json:"resource"`
	Action   string          `json:"action"`
	State    string          `json:"state"`
	Paths    []analysis.Path `json:"paths,omitempty"`
}

// Result is the stable JSON shape of `reachgraph diff`.
type Result struct {
	From             string          `json:"from"`
	FromAsOf         time.Time       `json:"from_as_of"`
	To               string          `json:"to"`
	ToAsOf           time.Time       `json:"to_as_of"`
	IdentitiesGained []string        `json:"identities_gained"`
	IdentitiesLost   []string        `json:"identities_lost"`
	AccessesGained   []AccessChange  `json:"accesses_gained"`
	AccessesLost     []AccessChange  `json:"accesses_lost"`
	FindingsGained   []rules.Finding `json:"findings_gained"`
	FindingsLost     []rules.Finding `json:"findings_lost"`
	// WindowsChanged lists the edges in both snapshots whose validity window
	// changed, whether or not that changes an access at either as_of.
	WindowsChanged []WindowChange `json:"windows_changed"`
}

func critical(s rules.Snapshot) (map[string]AccessChange, error) {
	out := map[string]AccessChange{}
	for _, i := range s.Data.IdentityList {
		accs, err := s.Engine.Reach(reach.ReachQuery{Identity: i.ID, CriticalOnly: true})
		if err != nil {
			return nil, err
		}
		for _, a := range accs {
			st := "latent"
			if a.Effective {
				st = "effective"
			}
			c := AccessChange{Identity: a.Identity, Resource: a.Resource, Action: string(a.Action), State: st, Paths: a.Paths}
			out[c.Identity+"\x00"+c.Resource+"\x00"+c.Action+"\x00"+st] = c
		}
	}
	return out, nil
}

// Compare returns what changed from a to b.
func Compare(a, b Side) (*Result, error) {
	r := &Result{From: string(a.Snapshot.Engine.Snapshot().ID), FromAsOf: a.Snapshot.Engine.AsOf(),
		To: string(b.Snapshot.Engine.Snapshot().ID), ToAsOf: b.Snapshot.Engine.AsOf(),
		IdentitiesGained: []string{}, IdentitiesLost: []string{}, AccessesGained: []AccessChange{},
		AccessesLost: []AccessChange{}, FindingsGained: []rules.Finding{}, FindingsLost: []rules.Finding{}}
	ids := func(s rules.Snapshot) map[string]bool {
		m := map[string]bool{}
		for _, i := range s.Data.IdentityList {
			m[i.ID] = true
		}
		return m
	}
	ia, ib := ids(a.Snapshot), ids(b.Snapshot)
	for id := range ib {
		if !ia[id] {
			r.IdentitiesGained = append(r.IdentitiesGained, id)
		}
	}
	for id := range ia {
		if !ib[id] {
			r.IdentitiesLost = append(r.IdentitiesLost, id)
		}
	}
	slices.Sort(r.IdentitiesGained)
	slices.Sort(r.IdentitiesLost)
	ca, err := critical(a.Snapshot)
	if err != nil {
		return nil, err
	}
	cb, err := critical(b.Snapshot)
	if err != nil {
		return nil, err
	}
	for k, c := range cb {
		if _, ok := ca[k]; !ok {
			r.AccessesGained = append(r.AccessesGained, c)
		}
	}
	for k, c := range ca {
		if _, ok := cb[k]; !ok {
			c.Paths = nil
			r.AccessesLost = append(r.AccessesLost, c)
		}
	}
	sortChanges(r.AccessesGained)
	sortChanges(r.AccessesLost)
	fa, fb := map[string]bool{}, map[string]bool{}
	for _, f := range a.Findings {
		fa[f.ID] = true
	}
	for _, f := range b.Findings {
		fb[f.ID] = true
		if !fa[f.ID] {
			r.FindingsGained = append(r.FindingsGained, f)
		}
	}
	for _, f := range a.Findings {
		if !fb[f.ID] {
			f.Paths = []analysis.Path{}
			r.FindingsLost = append(r.FindingsLost, f)
		}
	}
	rules.Sort(r.FindingsGained)
	rules.Sort(r.FindingsLost)
	r.WindowsChanged = windowChanges(a.Snapshot.Data, b.Snapshot.Data)
	return r, nil
}

func sortChanges(cs []AccessChange) {
	slices.SortFunc(cs, func(a, b AccessChange) int {
		return cmp.Or(cmp.Compare(a.Identity, b.Identity), cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Action, b.Action), cmp.Compare(a.State, b.State))
	})
}
