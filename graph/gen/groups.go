package gen

import (
	"strconv"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// identityLevelCum is the level distribution of the groups an identity joins,
// cumulative percent, for people and for non-human identities: people mostly
// sit in team groups, non-human identities are often put straight into roles.
var (
	humanLevelCum    = []int{60, 85, 95, 99, 100}
	nonHumanLevelCum = []int{30, 45, 80, 93, 100}
)

// writeGroups writes the groups and roles. Levels 0–1 are mostly plain team
// groups, levels 2–4 mostly roles; 85 % of roles and 10 % of groups belong to
// one system.
func (g *generator) writeGroups() error {
	for i := range g.tier.Groups {
		p := g.groupPlan(i)
		r := graph.Group{ID: g.groupID(i), Type: p.typ}
		if p.system >= 0 {
			r.System = g.systems[p.system].id
		}
		r.Name = g.groupName(i, p)
		if err := g.record(g.w.PutGroup(r), "group", i); err != nil {
			return err
		}
	}
	return nil
}

// groupName is "role-<system slug>-<function>-<index>" for a role and
// "grp-<team>-l<level>-<index>" for a group.
func (g *generator) groupName(i int, p groupPlan) string {
	d := g.draws(tagGroup, i)
	var b []byte
	if p.typ == schema.GroupRole {
		b = append(g.buf[:0], "role-"...)
		if p.system >= 0 {
			b = append(b, sysKinds[g.systems[p.system].kind].slug...)
			b = strconv.AppendInt(b, int64(p.system), 10)
			b = append(b, '-')
		}
		b = append(b, functions[d.intn(len(functions))]...)
	} else {
		b = append(g.buf[:0], "grp-"...)
		b = append(b, teams[d.intn(len(teams))]...)
		b = append(b, "-l"...)
		b = strconv.AppendInt(b, int64(p.level), 10)
	}
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(i), 10)
	g.buf = b
	return string(b)
}

// adminJoinPct is the chance that an identity's membership draw that lands
// on an administrator role stays there (up to three redraws).
const adminJoinPct = 5

// writeMemberships writes every identity's memberships, then the group
// nesting: below the top level 40 % of groups stand alone, 52 % join one
// group of the next level and 8 % two; 5 % also join one two levels up; no
// group joins an administrator role. About 2.5 % of the nested groups on
// levels 0–2 (plus the first group of levels 0 and 1) close a 2- or 3-cycle.
func (g *generator) writeMemberships() error {
	var picked [maxMemberships]int
	for i := range g.tier.Identities {
		p := g.identityPlan(i)
		if p.memberships == 0 {
			continue
		}
		r := g.at(tagMember, i)
		cum := nonHumanLevelCum
		if p.typ == schema.IdentityHuman {
			cum = humanLevelCum
		}
		member := g.identityID(i)
		for k := range p.memberships {
			lv := pick(r.IntN(100), cum)
			grp := g.levels[lv] + r.IntN(g.levelSize(lv))
			// Administrator roles are kept small: most draws that hit one
			// are drawn again.
			for try := 0; try < 3 && g.isAdminGroup(grp) && r.IntN(100) >= adminJoinPct; try++ {
				grp = g.levels[lv] + r.IntN(g.levelSize(lv))
			}
			grp = g.distinct(picked[:k], grp)
			picked[k] = grp
			if err := g.record(g.w.PutMembership(graph.Membership{Member: member, Group: g.groupID(grp)}), "membership of identity", i); err != nil {
				return err
			}
		}
	}
	for i := range g.tier.Groups {
		if err := g.writeGroupMemberships(i); err != nil {
			return err
		}
	}
	return nil
}

// distinct returns grp, or the next group index (wrapping) not in picked.
// Groups outnumber any identity's memberships, so it terminates.
func (g *generator) distinct(picked []int, grp int) int {
	for {
		clash := false
		for _, p := range picked {
			if p == grp {
				clash = true
				break
			}
		}
		if !clash {
			return grp
		}
		grp = (grp + 1) % g.tier.Groups
	}
}

func (g *generator) writeGroupMemberships(i int) error {
	p := g.groupPlan(i)
	member := g.groupID(i)
	put := func(m graph.Membership) error {
		return g.record(g.w.PutMembership(m), "membership of group", i)
	}
	for k := range p.parents {
		if err := put(graph.Membership{Member: member, Group: g.groupID(g.parentOfGroup(i, p.level, k))}); err != nil {
			return err
		}
	}
	if p.skip {
		if err := put(graph.Membership{Member: member, Group: g.groupID(g.skipParent(i, p.level))}); err != nil {
			return err
		}
	}
	if p.cycle > 0 {
		return put(graph.Membership{Member: g.groupID(g.cycleMember(i, p)), Group: member})
	}
	return nil
}
