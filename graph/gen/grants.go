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
	// Non-human identities rarely approve: approval is a person's job.
	nonHumanActionCum = []int{50, 78, 80, 95, 100}
	vaultActionCum    = []int{75, 90, 90, 95, 100}
	systemActionCum   = []int{45, 65, 72, 85, 100}
)

// grantRedraws bounds how often a principal's grant is redrawn when it
// repeats one the principal already holds.
const grantRedraws = 16

// grantKey identifies a grant of one principal: target >= 0 is a resource
// index, target < 0 is system -target-1.
type grantKey struct{ target, action int }

// grantMode says which targets a principal's grants may have.
type grantMode int

const (
	// plainGrants go to resources outside vaults, leaves and inner nodes but
	// never the root of a tree with children.
	plainGrants grantMode = iota
	// adminGrants are 50 % whole systems and 25 % tree roots (never in a
	// vault), the rest plain.
	adminGrants
	// vaultAdminGrants are adminGrants whose system grants go to a vault
	// 5 % of the time: only people get them.
	vaultAdminGrants
)

// writeGrants writes the roles' and groups' grants (a role's grants stay
// mostly inside its system), then the grants identities hold directly, then
// the vault policies. Only administrators (a few roles, people and non-human
// identities) hold grants on whole systems and tree roots; everyone else's
// grants are on leaves and inner resources, 12 % on the parent of a leaf.
// Vault paths are granted only by the per-path policies (writeVaultPolicies)
// and, rarely, by an administrator's grant on a whole vault. 2 % of grants
// have expired, 4 % expire later, 5 % are conditional.
func (g *generator) writeGrants() error {
	var held []grantKey
	for i := range g.tier.Groups {
		p := g.groupPlan(i)
		if p.grants == 0 {
			continue
		}
		r := g.at(tagGroupGrant, i)
		principal := g.groupID(i)
		mode := plainGrants
		if p.admin {
			mode = adminGrants
		}
		held = held[:0]
		for range p.grants {
			sys := -1
			if p.system >= 0 && (p.admin || r.IntN(100) < 80) {
				sys = p.system
			}
			key := g.newGrant(r, sys, mode, resourceActionCum, held)
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
		mode, actions := plainGrants, nonHumanActionCum
		switch {
		case p.typ == schema.IdentityHuman && p.admin:
			mode, actions = vaultAdminGrants, resourceActionCum
		case p.typ == schema.IdentityHuman:
			actions = resourceActionCum
		case p.admin:
			mode = adminGrants
		}
		held = held[:0]
		for range p.grants {
			key := g.newGrant(r, -1, mode, actions, held)
			held = append(held, key)
			if err := g.record(g.w.PutGrant(g.grant(r, principal, key)), "grant of identity", i); err != nil {
				return err
			}
		}
	}
	return g.writeVaultPolicies()
}

// newGrant draws a target (inside system sys when sys >= 0) and an action
// that the principal does not hold yet. After grantRedraws repeats (only a
// tiny system provokes them) it takes the next free (target, action) pair
// after the last draw, over all resources and systems; identityPlan caps a
// principal's grants below the number of pairs, so one is free.
func (g *generator) newGrant(r *rand.Rand, sys int, mode grantMode, actions []int, held []grantKey) grantKey {
	var key grantKey
	for range grantRedraws {
		key = g.drawGrant(r, sys, mode, actions)
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

// drawGrant draws one grant; actions are the cumulative action weights on
// resources.
func (g *generator) drawGrant(r *rand.Rand, sys int, mode grantMode, actions []int) grantKey {
	if sys >= 0 && g.systems[sys].kind == kindVault {
		sys = -1 // vault paths come from policies
	}
	if mode != plainGrants && r.IntN(100) < 75 {
		s := sys
		if s < 0 {
			s = g.plain[r.IntN(len(g.plain))]
			if mode == vaultAdminGrants && r.IntN(100) < 5 {
				// A grant on a whole vault exposes every credential stored
				// in it: only a handful of people administer vaults.
				s = g.vaults[r.IntN(len(g.vaults))]
			}
		}
		if g.systems[s].kind == kindVault || r.IntN(3) < 2 {
			return grantKey{target: -s - 1, action: pick(r.IntN(100), systemActionCum)}
		}
		sy := &g.systems[s]
		k := g.rootOf(s, sy.resStart+r.IntN(sy.resCount))
		return grantKey{target: k, action: pick(r.IntN(100), actions)}
	}
	var k int
	if sys >= 0 {
		k = g.systems[sys].resStart + r.IntN(g.systems[sys].resCount)
	} else {
		k, sys = g.plainResource(r.IntN(g.plainResources()))
	}
	switch leaf := g.isLeaf(sys, k); {
	case !leaf && g.parentOf(sys, k) < 0:
		// A whole tree is an administrator's grant.
		k = g.leafUnder(sys, k, r.IntN)
	case leaf && r.IntN(100) < 12:
		if p := g.parentOf(sys, k); p >= 0 {
			k = p
		}
	}
	return grantKey{target: k, action: pick(r.IntN(100), actions)}
}

// Vault policies per secret path (the index is the count), cumulative
// percent: a leaf path is read by one or two principals, or by none yet; an
// inner path is granted to one person 15 % of the time.
var (
	leafPolicyCum  = []int{25, 80, 100}
	innerPolicyCum = []int{85, 100}
)

// vaultPolicies returns how many policy grants name vault resource k of
// system s.
func (l *layout) vaultPolicies(s, k int) int {
	d := l.draws(tagVaultPolicy, k)
	if l.isLeaf(s, k) {
		return pick(d.intn(100), leafPolicyCum)
	}
	return pick(d.intn(100), innerPolicyCum)
}

// policyHolder says who holds one vault policy: an identity or a group.
type policyHolder struct {
	group bool
	index int
}

// writeVaultPolicies writes the grants of vault policies, path by path. A
// policy names one secret path. On a leaf it is held 85 % by a non-human
// identity (the workload that consumes the secret), 13 % by a person and 2 %
// by a plain group of level 1; on an inner path, by a person. Actions follow
// vaultActionCum (mostly read). Whoever can read a path can act as the
// owners of the credentials stored there (SPEC R3b), so these grants are
// the estate's exposure chains.
func (g *generator) writeVaultPolicies() error {
	for _, s := range g.vaults {
		sys := &g.systems[s]
		for k := sys.resStart; k < sys.resStart+sys.resCount; k++ {
			n := g.vaultPolicies(s, k)
			if n == 0 {
				continue
			}
			r := g.at(tagVaultPolicyGrant, k)
			leaf := g.isLeaf(s, k)
			var first policyHolder
			firstAction := -1
			for j := range n {
				h := g.policyHolder(r, leaf)
				action := pick(r.IntN(100), vaultActionCum)
				if j > 0 && h == first && action == firstAction {
					action = (action + 1) % len(schema.Actions)
				}
				first, firstAction = h, action
				principal := g.identityID(h.index)
				if h.group {
					principal = g.groupID(h.index)
				}
				if err := g.record(g.w.PutGrant(g.grant(r, principal, grantKey{target: k, action: action})), "vault policy on resource", k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *generator) policyHolder(r *rand.Rand, leaf bool) policyHolder {
	x := r.IntN(100)
	if !leaf {
		x = 90
	}
	switch {
	case x < 85:
	case x < 98:
		if h := g.otherHuman(-1, r.IntN(g.tier.Identities)); h >= 0 {
			return policyHolder{index: h}
		}
	default:
		if grp := g.policyGroup(r.IntN(g.levelSize(1))); grp >= 0 {
			return policyHolder{group: true, index: grp}
		}
	}
	return policyHolder{index: g.otherNonHuman(-1, r.IntN(g.tier.Identities))}
}

// policyGroup returns the first plain group (not a role) of level 1 at or
// after offset start, or -1 when the level has none. Plain groups hold at
// most two grants of their own, so a role never collects policies on top of
// its permissions.
func (g *generator) policyGroup(start int) int {
	size := g.levelSize(1)
	for j := range size {
		grp := g.levels[1] + (start+j)%size
		if g.groupPlan(grp).typ == schema.GroupGroup {
			return grp
		}
	}
	return -1
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
