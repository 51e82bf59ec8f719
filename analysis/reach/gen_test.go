package reach_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// refAsOf is the instant every random graph is analysed at.
var refAsOf = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

// genOpts tunes genGraph.
type genOpts struct {
	// crossSystemParents lets a resource's parent live in another system.
	crossSystemParents bool
	// scale multiplies the node counts (0 or 1: the small graphs).
	scale int
}

// genGraph returns a small random graph for seed: 3–12 identities (some
// disabled), 1–6 groups, 1–3 systems, 2–10 resources in parent chains, random
// memberships (cycles included), grants of every action on resources, parents
// and systems (some expired, some exactly at as_of), delegations with and
// without a system, and credentials with random systems, expiry, revocation and
// storage locations; some memberships, grants and delegations have validity
// windows around as_of (addWindows). Ids are opaque strings; some seeds use
// odd characters.
func genGraph(seed uint64, o genOpts) *graph.Dataset {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	d := &graph.Dataset{}
	d.Info.ID = graph.SnapshotID(fmt.Sprintf("seed-%d", seed))
	d.Info.CollectedAt = refAsOf
	odd := seed%5 == 0
	id := func(prefix string, i int) string {
		if odd {
			// Opaque ids: spaces, quotes, slashes, non-ASCII, "->".
			return fmt.Sprintf("%s %d/\"ü\" -> x", prefix, i)
		}
		return fmt.Sprintf("%s%d", prefix, i)
	}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	expiry := func(pNone float64) time.Time {
		if rng.Float64() < pNone {
			return time.Time{}
		}
		switch rng.IntN(5) {
		case 0:
			return refAsOf.Add(-24 * time.Hour)
		case 1:
			return refAsOf // exactly at as_of: expired
		case 2:
			return refAsOf.Add(time.Millisecond)
		case 3:
			return refAsOf.Add(-time.Millisecond)
		default:
			return refAsOf.Add(24 * time.Hour)
		}
	}

	nS, nR, nI, nG := 1+rng.IntN(3), 2+rng.IntN(9), 3+rng.IntN(10), 1+rng.IntN(6)
	if o.scale > 1 {
		nS, nR, nI, nG = nS+o.scale/2, nR*o.scale, nI*o.scale, nG*o.scale
	}
	var systems, resources, identities, groups, principals []string
	for i := range nS {
		s := graph.System{ID: id("sys", i), Kind: "erp", SOXScope: rng.IntN(2) == 0}
		d.PutSystem(s)
		systems = append(systems, s.ID)
	}
	sysRes := map[string][]string{}
	for i := range nR {
		r := graph.Resource{ID: id("res", i), System: pick(systems), Kind: pick([]string{"journal_entry", "secret", "vendor_master", "x"})}
		cands := sysRes[r.System]
		if o.crossSystemParents {
			cands = resources
		}
		if len(cands) > 0 && rng.Float64() < 0.6 {
			r.Parent = pick(cands)
		}
		if rng.Float64() < 0.4 {
			b := rng.IntN(2) == 0
			r.SOXScope = &b
		}
		d.PutResource(r)
		resources = append(resources, r.ID)
		sysRes[r.System] = append(sysRes[r.System], r.ID)
	}
	for i := range nI {
		st := schema.StatusActive
		if rng.Float64() < 0.15 {
			st = schema.StatusDisabled
		}
		idn := graph.Identity{ID: id("id", i), Type: schema.IdentityTypes[rng.IntN(len(schema.IdentityTypes))], Status: st}
		identities = append(identities, idn.ID)
		d.PutIdentity(idn)
	}
	for i := range d.IdentityList {
		if rng.Float64() < 0.2 {
			d.IdentityList[i].SameAs = []string{pick(identities)}
		}
	}
	for i := range nG {
		g := graph.Group{ID: id("grp", i), Type: schema.GroupTypes[rng.IntN(2)]}
		d.PutGroup(g)
		groups = append(groups, g.ID)
	}
	principals = append(slices.Clone(identities), groups...)
	targets := append(slices.Clone(resources), systems...)

	for range rng.IntN(nI + 2*nG + 1) {
		d.PutMembership(graph.Membership{Member: pick(principals), Group: pick(groups)})
	}
	for range 2 + rng.IntN(nI+nG+nR) {
		t := pick(targets)
		if rng.Float64() < 0.75 {
			t = pick(resources)
		}
		d.PutGrant(graph.Grant{Principal: pick(principals), Action: schema.Actions[rng.IntN(len(schema.Actions))],
			Resource: t, Native: fmt.Sprintf("n%d", rng.IntN(4)), ExpiresAt: expiry(0.6)})
	}
	nc := 0
	for _, x := range identities {
		for range rng.IntN(3) {
			c := graph.Credential{ID: id("cred", nc), Identity: x, Type: schema.CredentialTypes[rng.IntN(len(schema.CredentialTypes))],
				ExpiresAt: expiry(0.6), Revoked: rng.Float64() < 0.12}
			nc++
			if rng.Float64() < 0.65 {
				for _, s := range systems {
					if rng.IntN(2) == 0 {
						c.Systems = append(c.Systems, s)
					}
				}
			}
			if rng.Float64() < 0.5 {
				c.StoredIn = pick(resources)
			}
			if rng.Float64() < 0.3 {
				c.LastRotatedAt = refAsOf.Add(-time.Duration(rng.IntN(1000)) * time.Hour)
			}
			d.PutCredential(c)
		}
	}
	for range rng.IntN(nI + 1) {
		dl := graph.Delegation{From: pick(principals), To: pick(identities), Kind: schema.DelegationKinds[rng.IntN(len(schema.DelegationKinds))]}
		if rng.IntN(2) == 0 {
			dl.System = pick(systems)
		}
		d.PutDelegation(dl)
	}
	addWindows(d, seed)
	addCredValidFrom(d, seed)
	addMemberNatives(d, seed)
	return d
}

// addMemberNatives gives some memberships of d a native text (evidence only:
// answers do not change), from its own random stream, so path checks see
// that a MEMBER_OF hop's text and window belong to one record.
func addMemberNatives(d *graph.Dataset, seed uint64) {
	rng := rand.New(rand.NewPCG(seed^0x2545f4914f6cdd1d, seed+0x9fb21c651e98df25))
	for i := range d.MembershipList {
		if rng.Float64() < 0.4 {
			d.MembershipList[i].Native = fmt.Sprintf("m%d", rng.IntN(3))
		}
	}
}

// addCredValidFrom gives some credentials of d a valid_from around refAsOf
// (a day or a millisecond before or after it, or exactly at it), from its own
// random stream so the graph itself stays what it was for each seed.
func addCredValidFrom(d *graph.Dataset, seed uint64) {
	rng := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, seed+0x632be59bd9b4e019))
	for i := range d.CredentialList {
		if rng.Float64() < 0.25 {
			d.CredentialList[i].ValidFrom = refAsOf.Add([]time.Duration{-24 * time.Hour, -time.Millisecond, 0,
				time.Millisecond, 24 * time.Hour}[rng.IntN(5)])
		}
	}
}

// addWindows gives some memberships, grants and delegations of d a validity
// window around refAsOf (bounds a day or a millisecond before or after it, or
// exactly at it), drawing from its own random stream so the graph itself
// stays what it was for each seed before windows existed.
func addWindows(d *graph.Dataset, seed uint64) {
	rng := rand.New(rand.NewPCG(seed^0x5bd1e995, seed+0x27d4eb2f165667c5))
	bound := func() time.Time {
		return refAsOf.Add([]time.Duration{-24 * time.Hour, -time.Millisecond, 0, time.Millisecond, 24 * time.Hour}[rng.IntN(5)])
	}
	window := func(p float64) (from, until time.Time) {
		if rng.Float64() >= p {
			return time.Time{}, time.Time{}
		}
		switch rng.IntN(3) {
		case 0:
			return bound(), time.Time{}
		case 1:
			return time.Time{}, bound()
		}
		return bound(), bound()
	}
	for i := range d.MembershipList {
		m := &d.MembershipList[i]
		m.ValidFrom, m.ExpiresAt = window(0.3)
	}
	for i := range d.GrantList {
		if g := &d.GrantList[i]; rng.Float64() < 0.25 {
			g.ValidFrom = bound()
		}
	}
	for i := range d.DelegationList {
		dl := &d.DelegationList[i]
		dl.ValidFrom, dl.ExpiresAt = window(0.35)
	}
}

// cloneDataset deep-copies the record lists.
func cloneDataset(d *graph.Dataset) *graph.Dataset {
	c := &graph.Dataset{Info: d.Info,
		SystemList: slices.Clone(d.SystemList), ResourceList: slices.Clone(d.ResourceList),
		IdentityList: slices.Clone(d.IdentityList), GroupList: slices.Clone(d.GroupList),
		MembershipList: slices.Clone(d.MembershipList), GrantList: slices.Clone(d.GrantList),
		CredentialList: slices.Clone(d.CredentialList), DelegationList: slices.Clone(d.DelegationList)}
	for i := range c.CredentialList {
		c.CredentialList[i].Systems = slices.Clone(c.CredentialList[i].Systems)
	}
	for i := range c.IdentityList {
		c.IdentityList[i].SameAs = slices.Clone(c.IdentityList[i].SameAs)
	}
	return c
}

// dumpDataset renders d as Go-ish text that can be pasted into a test.
func dumpDataset(d *graph.Dataset) string {
	var b strings.Builder
	tm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return " expires=" + t.Sub(refAsOf).String()
	}
	from := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return " valid_from=" + t.Sub(refAsOf).String()
	}
	for _, s := range d.SystemList {
		fmt.Fprintf(&b, "system %q sox=%v\n", s.ID, s.SOXScope)
	}
	for _, r := range d.ResourceList {
		sox := ""
		if r.SOXScope != nil {
			sox = fmt.Sprintf(" sox=%v", *r.SOXScope)
		}
		fmt.Fprintf(&b, "resource %q system=%q parent=%q%s\n", r.ID, r.System, r.Parent, sox)
	}
	for _, i := range d.IdentityList {
		fmt.Fprintf(&b, "identity %q %s same_as=%q\n", i.ID, i.Status, i.SameAs)
	}
	for _, g := range d.GroupList {
		fmt.Fprintf(&b, "group %q\n", g.ID)
	}
	for _, m := range d.MembershipList {
		fmt.Fprintf(&b, "member %q -> %q native=%q%s%s\n", m.Member, m.Group, m.Native, from(m.ValidFrom), tm(m.ExpiresAt))
	}
	for _, g := range d.GrantList {
		fmt.Fprintf(&b, "grant %q %s on %q native=%q%s%s\n", g.Principal, g.Action, g.Resource, g.Native, from(g.ValidFrom), tm(g.ExpiresAt))
	}
	for _, c := range d.CredentialList {
		fmt.Fprintf(&b, "credential %q of %q systems=%q stored_in=%q revoked=%v%s%s\n", c.ID, c.Identity, c.Systems, c.StoredIn, c.Revoked,
			from(c.ValidFrom), tm(c.ExpiresAt))
	}
	for _, dl := range d.DelegationList {
		fmt.Fprintf(&b, "delegation %q -> %q system=%q%s%s\n", dl.From, dl.To, dl.System, from(dl.ValidFrom), tm(dl.ExpiresAt))
	}
	return b.String()
}

// shrink greedily removes records (and unused nodes) from d while fails(d)
// stays true, and returns the smaller dataset: a minimal reproduction for the
// report. fails must be deterministic and must report false for datasets the
// projection rejects.
func shrink(d *graph.Dataset, fails func(*graph.Dataset) bool) *graph.Dataset {
	cur := cloneDataset(d)
	try := func(mut func(*graph.Dataset) bool) bool {
		c := cloneDataset(cur)
		if !mut(c) {
			return false
		}
		if fails(c) {
			cur = c
			return true
		}
		return false
	}
	for progress := true; progress; {
		progress = false
		for i := len(cur.MembershipList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool { c.MembershipList = slices.Delete(c.MembershipList, i, i+1); return true }) || progress
		}
		for i := len(cur.DelegationList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool { c.DelegationList = slices.Delete(c.DelegationList, i, i+1); return true }) || progress
		}
		for i := len(cur.GrantList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool { c.GrantList = slices.Delete(c.GrantList, i, i+1); return true }) || progress
		}
		for i := len(cur.CredentialList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool { c.CredentialList = slices.Delete(c.CredentialList, i, i+1); return true }) || progress
		}
		for i := range cur.IdentityList {
			if len(cur.IdentityList[i].SameAs) > 0 {
				progress = try(func(c *graph.Dataset) bool { c.IdentityList[i].SameAs = nil; return true }) || progress
			}
		}
		for i := range cur.CredentialList {
			progress = try(func(c *graph.Dataset) bool {
				cr := &c.CredentialList[i]
				if cr.StoredIn == "" {
					return false
				}
				cr.StoredIn = ""
				return true
			}) || progress
			progress = try(func(c *graph.Dataset) bool {
				cr := &c.CredentialList[i]
				if !cr.ExpiresAt.IsZero() || cr.Revoked || !cr.ValidFrom.IsZero() {
					cr.ExpiresAt, cr.Revoked, cr.ValidFrom = time.Time{}, false, time.Time{}
					return true
				}
				return false
			}) || progress
		}
		for i := range cur.GrantList {
			progress = try(func(c *graph.Dataset) bool {
				g := &c.GrantList[i]
				if g.ExpiresAt.IsZero() && g.ValidFrom.IsZero() {
					return false
				}
				g.ValidFrom, g.ExpiresAt = time.Time{}, time.Time{}
				return true
			}) || progress
		}
		for i := range cur.MembershipList {
			progress = try(func(c *graph.Dataset) bool {
				m := &c.MembershipList[i]
				if m.ExpiresAt.IsZero() && m.ValidFrom.IsZero() {
					return false
				}
				m.ValidFrom, m.ExpiresAt = time.Time{}, time.Time{}
				return true
			}) || progress
		}
		for i := range cur.DelegationList {
			progress = try(func(c *graph.Dataset) bool {
				dl := &c.DelegationList[i]
				if dl.ExpiresAt.IsZero() && dl.ValidFrom.IsZero() {
					return false
				}
				dl.ValidFrom, dl.ExpiresAt = time.Time{}, time.Time{}
				return true
			}) || progress
		}
		for i := range cur.ResourceList {
			progress = try(func(c *graph.Dataset) bool {
				r := &c.ResourceList[i]
				if r.Parent == "" {
					return false
				}
				r.Parent = ""
				return true
			}) || progress
		}
		// Unused nodes.
		used := func(c *graph.Dataset) map[string]bool {
			u := map[string]bool{}
			for _, r := range c.ResourceList {
				u[r.System], u[r.Parent] = true, true
			}
			for _, m := range c.MembershipList {
				u[m.Member], u[m.Group] = true, true
			}
			for _, g := range c.GrantList {
				u[g.Principal], u[g.Resource] = true, true
			}
			for _, cr := range c.CredentialList {
				u[cr.Identity], u[cr.StoredIn] = true, true
				for _, s := range cr.Systems {
					u[s] = true
				}
			}
			for _, dl := range c.DelegationList {
				u[dl.From], u[dl.To], u[dl.System] = true, true, true
			}
			for _, i := range c.IdentityList {
				for _, s := range i.SameAs {
					u[s] = true
				}
			}
			return u
		}
		for i := len(cur.ResourceList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool {
				if used(c)[c.ResourceList[i].ID] {
					return false
				}
				c.ResourceList = slices.Delete(c.ResourceList, i, i+1)
				return true
			}) || progress
		}
		for i := len(cur.GroupList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool {
				if used(c)[c.GroupList[i].ID] {
					return false
				}
				c.GroupList = slices.Delete(c.GroupList, i, i+1)
				return true
			}) || progress
		}
		for i := len(cur.IdentityList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool {
				if used(c)[c.IdentityList[i].ID] {
					return false
				}
				c.IdentityList = slices.Delete(c.IdentityList, i, i+1)
				return true
			}) || progress
		}
		for i := len(cur.SystemList) - 1; i >= 0; i-- {
			progress = try(func(c *graph.Dataset) bool {
				if used(c)[c.SystemList[i].ID] {
					return false
				}
				c.SystemList = slices.Delete(c.SystemList, i, i+1)
				return true
			}) || progress
		}
	}
	return cur
}
