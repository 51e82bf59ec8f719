package awsiam

import (
	"sort"

	"github.com/reachgraph/reachgraph/graph"
)

// condHop is an escalation hop that holds only under a condition (of the
// technique's Allow, of an earlier step, or — for take-overs — an existing
// resource IAM data does not show). Delegations carry no condition, so
// resolveCondHops turns it into conditional grants: from gets every grant
// of to (and of to's groups), and follows to's own act-as hops further.
type condHop struct {
	from, to, native string
}

// resolveCondHops gives each conditional hop's principal the grants its
// target holds, conditional, with the hop in their evidence ("… via
// privesc:…"), and carries the hop across the target's delegations
// (conditional hops of conditional hops included) until nothing changes.
func (t *transformer) resolveCondHops() {
	if len(t.condHops) == 0 {
		return
	}
	groupsOf := map[string][]string{}
	for _, s := range t.subjects {
		groupsOf[s.id] = s.groups
	}
	seen := map[[2]string]bool{}
	queue := append([]condHop(nil), t.condHops...)
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		if h.from == h.to || seen[[2]string{h.from, h.to}] {
			continue
		}
		seen[[2]string{h.from, h.to}] = true
		if t.delegated(h.from, h.to) {
			continue // an unconditional hop to the same identity already gives all of it
		}
		t.copyGrants(h, append([]string{h.to}, groupsOf[h.to]...))
		for _, d := range t.delegsFrom(h.to) {
			queue = append(queue, condHop{from: h.from, to: d.To, native: h.native + ", then " + d.Native})
		}
		for _, c := range t.condHops {
			if c.from == h.to {
				queue = append(queue, condHop{from: h.from, to: c.to, native: h.native + ", then " + c.native})
			}
		}
	}
}

// copyGrants gives h.from a conditional copy of every grant of the
// principals holders.
func (t *transformer) copyGrants(h condHop, holders []string) {
	var keys []grantKey
	for k := range t.grants {
		for _, p := range holders {
			if k.principal == p {
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].machine+string(keys[i].action)+keys[i].resource < keys[j].machine+string(keys[j].action)+keys[j].resource
	})
	for _, k := range keys {
		g := t.grants[k]
		for _, ev := range g.evidence {
			n := g.native
			n.Evidence = ev + " via " + h.native
			t.grant(h.from, k.action, k.resource, n, true)
		}
	}
}

// delegsFrom lists the delegations from id, one per native, in a stable order.
func (t *transformer) delegsFrom(id string) []graph.Delegation {
	var out []graph.Delegation
	for d, natives := range t.delegs {
		if d.From == id {
			for _, n := range natives {
				x := d
				x.Native = n
				out = append(out, x)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].To != out[j].To {
			return out[i].To < out[j].To
		}
		return out[i].Native < out[j].Native
	})
	return out
}

// delegated reports whether a delegation leads from one identity to another.
func (t *transformer) delegated(from, to string) bool {
	for d := range t.delegs {
		if d.From == from && d.To == to {
			return true
		}
	}
	return false
}
