package gen

import (
	"math/rand/v2"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Action weights (cumulative percent, schema.Actions order: read, write,
// approve, export, admin) per kind of target: read is the most common, admin
// rare except on whole systems.
var (
	resourceActionCum = []int{50, 70, 82, 95, 100}
	vaultActionCum    = []int{75, 90, 90, 95, 100}
	systemActionCum   = []int{40, 55, 60, 70, 100}
)

// grantRedraws bounds how often a principal's grant is redrawn when it
// repeats one the principal already holds.
const grantRedraws = 16

// grantKey identifies a grant of one principal: target >= 0 is a resource
// index, target < 0 is system -target-1.
type grantKey struct{ target, action int }

// writeGrants writes the roles' and groups' grants (a role's grants stay
// mostly inside its system), then the grants identities hold directly. About
// 5 % of grants are on a whole system, 12 % on a parent resource and 3 % on a
// tree root; 2 % have expired, 4 % expire later, 5 % are conditional.
func (g *generator) writeGrants() error {
	var held []grantKey
	for i := range g.tier.Groups {
		p := g.groupPlan(i)
		if p.grants == 0 {
			continue
		}
		r := g.at(tagGroupGrant, i)
		principal := g.groupID(i)
		held = held[:0]
		for range p.grants {
			sys := -1
			if p.system >= 0 && r.IntN(100) < 80 {
				sys = p.system
			}
			key := g.newGrant(r, sys, held)
			held = append(held, key)
			if err := g.record(g.w.PutGrant(g.grant(r, principal, key)), "grant of group", i); err != nil {
				return err
			}
		}
	}
	for i := range g.tier.Identities {
		p := g.identityPlan(i)
		if p.grants == 0 {
			continue
		}
		r := g.at(tagIdentityGrant, i)
		principal := g.identityID(i)
		held = held[:0]
		for range p.grants {
			key := g.newGrant(r, -1, held)
			held = append(held, key)
			if err := g.record(g.w.PutGrant(g.grant(r, principal, key)), "grant of identity", i); err != nil {
				return err
			}
		}
	}
	return nil
}

// newGrant draws a target (inside system sys when sys >= 0) and an action
// that the principal does not hold yet. After grantRedraws repeats (only a
// tiny system provokes them) it takes the next free (target, action) pair
// after the last draw, over all resources and systems; identityPlan caps a
// principal's grants below the number of pairs, so one is free.
func (g *generator) newGrant(r *rand.Rand, sys int, held []grantKey) grantKey {
	var key grantKey
	for range grantRedraws {
		key = g.drawGrant(r, sys)
		if !containsKey(held, key) {
			return key
		}
	}
	targets := g.tier.Resources + len(g.systems)
	start := key.target
	if start < 0 {
		start = g.tier.Resources - start - 1
	}
	for n := range targets * len(schema.Actions) {
		t := (start + n/len(schema.Actions)) % targets
		key = grantKey{target: t, action: (key.action + n) % len(schema.Actions)}
		if t >= g.tier.Resources {
			key.target = -(t - g.tier.Resources) - 1
		}
		if !containsKey(held, key) {
			return key
		}
	}
	bug("no free grant among %d targets for a principal holding %d", targets, len(held))
	return key
}

func containsKey(held []grantKey, key grantKey) bool {
	for _, h := range held {
		if h == key {
			return true
		}
	}
	return false
}

func (g *generator) drawGrant(r *rand.Rand, sys int) grantKey {
	if r.IntN(100) < 5 {
		if sys < 0 {
			sys = r.IntN(len(g.systems))
		}
		return grantKey{target: -sys - 1, action: pick(r.IntN(100), systemActionCum)}
	}
	var k int
	if sys >= 0 {
		k = g.systems[sys].resStart + r.IntN(g.systems[sys].resCount)
	} else {
		k = r.IntN(g.tier.Resources)
		sys = g.systemOf(k)
	}
	switch x := r.IntN(100); {
	case x < 12:
		if p := g.parentOf(sys, k); p >= 0 {
			k = p
		}
	case x < 15:
		for p := g.parentOf(sys, k); p >= 0; p = g.parentOf(sys, k) {
			k = p
		}
	}
	cum := resourceActionCum
	if g.systems[sys].kind == kindVault {
		cum = vaultActionCum
	}
	return grantKey{target: k, action: pick(r.IntN(100), cum)}
}

func (g *generator) grant(r *rand.Rand, principal string, key grantKey) graph.Grant {
	gr := graph.Grant{Principal: principal, Action: schema.Actions[key.action]}
	if key.target < 0 {
		gr.Resource = g.systems[-key.target-1].id
		gr.Native = systemNatives[key.action]
	} else {
		gr.Resource = g.resourceID(key.target)
		gr.Native = sysKinds[g.systems[g.systemOf(key.target)].kind].natives[key.action]
	}
	gr.Conditional = r.IntN(100) < 5
	if r.IntN(100) < 70 {
		gr.LastUsedAt = daysAgo(r, 0, 365)
	}
	switch x := r.IntN(100); {
	case x < 2:
		gr.ExpiresAt = daysAgo(r, 1, 180)
	case x < 6:
		gr.ExpiresAt = CollectedAt.AddDate(0, 0, 1+r.IntN(365))
	}
	return gr
}
