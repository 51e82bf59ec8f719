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

// hopIndex is what resolveCondHops reads, indexed once: the grants and
// delegations as they stand before any copy, by principal.
type hopIndex struct {
	grants   map[string][]grantKey
	delegs   map[string][]graph.Delegation // by From, one per native, stable order
	condFrom map[string][]condHop
}

func (t *transformer) hopIndex() *hopIndex {
	x := &hopIndex{grants: map[string][]grantKey{}, delegs: map[string][]graph.Delegation{}, condFrom: map[string][]condHop{}}
	for k := range t.grants {
		x.grants[k.principal] = append(x.grants[k.principal], k)
	}
	for _, ks := range x.grants {
		sort.Slice(ks, func(i, j int) bool {
			return ks[i].machine+string(ks[i].action)+ks[i].resource < ks[j].machine+string(ks[j].action)+ks[j].resource
		})
	}
	for d, natives := range t.delegs {
		for _, n := range natives {
			e := d
			e.Native = n
			x.delegs[d.From] = append(x.delegs[d.From], e)
		}
	}
	for _, ds := range x.delegs {
		sort.Slice(ds, func(i, j int) bool {
			if ds[i].To != ds[j].To {
				return ds[i].To < ds[j].To
			}
			return ds[i].Native < ds[j].Native
		})
	}
	for _, c := range t.condHops {
		x.condFrom[c.from] = append(x.condFrom[c.from], c)
	}
	return x
}

// resolveCondHops gives each conditional hop's principal the grants its
// target holds, conditional, with the hop in their evidence ("… via
// privesc:…"), and carries the hop across the target's delegations
// (conditional hops of conditional hops included) until nothing changes.
// Where the principal also reaches the target unconditionally, the copy
// adds nothing and is not written.
func (t *transformer) resolveCondHops() {
	if len(t.condHops) == 0 {
		return
	}
	x := t.hopIndex()
	groupsOf := map[string][]string{}
	for _, s := range t.subjects {
		groupsOf[s.id] = s.groups
	}
	delegated := func(from, to string) bool {
		for _, d := range x.delegs[from] {
			if d.To == to {
				return true
			}
		}
		return false
	}
	seen := map[[2]string]bool{}
	queue := append([]condHop(nil), t.condHops...)
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		if h.from == h.to || seen[[2]string{h.from, h.to}] || delegated(h.from, h.to) {
			continue
		}
		seen[[2]string{h.from, h.to}] = true
		for _, holder := range append([]string{h.to}, groupsOf[h.to]...) {
			t.copyGrants(h, x.grants[holder])
		}
		for _, d := range x.delegs[h.to] {
			queue = append(queue, condHop{from: h.from, to: d.To, native: h.native + ", then " + d.Native})
		}
		for _, c := range x.condFrom[h.to] {
			queue = append(queue, condHop{from: h.from, to: c.to, native: h.native + ", then " + c.native})
		}
	}
}

// copyGrants gives h.from a conditional copy of the grants keys.
func (t *transformer) copyGrants(h condHop, keys []grantKey) {
	for _, k := range keys {
		g := t.grants[k]
		for _, ev := range g.evidence {
			n := g.native
			n.Evidence = ev + " via " + h.native
			t.grant(h.from, k.action, k.resource, n, true)
		}
	}
}
