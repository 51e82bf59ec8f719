package sap

import (
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// memberships maps AGR_USERS (with windows), AGR_AGRS, UST04, UST10C and
// USREFUS, and records what each user holds for the grant placement.
func (t *transformer) memberships() {
	t.held = map[string][]held{}
	t.memberIdx = map[string][]int{}
	direct := map[string][]held{}
	for _, a := range t.x.Assignments {
		if t.users[a.User] == nil {
			continue // an assignment of a user not in USR02 (deleted) grants nothing
		}
		direct[a.User] = append(direct[a.User], held{p: t.roles[a.Role], w: assignmentWindow(a.From, a.To),
			native: "AGR_USERS UNAME=" + a.User + " AGR_NAME=" + a.Role})
	}
	for _, up := range t.x.UserProfiles {
		if t.users[up.User] != nil {
			direct[up.User] = append(direct[up.User], held{p: t.profiles[up.Profile],
				native: "UST04 BNAME=" + up.User + " PROFILE=" + up.Profile})
		}
	}
	for _, name := range t.userNames {
		for _, h := range direct[name] {
			t.member(name, h)
		}
	}
	for _, r := range t.x.RefUsers {
		if t.users[r.User] == nil || t.users[r.Ref] == nil || r.User == r.Ref {
			continue
		}
		for _, h := range direct[r.Ref] {
			h.via = r.Ref
			h.native = "USREFUS BNAME=" + r.User + " REFUSER=" + r.Ref + " (" + h.native + ")"
			t.member(r.User, h)
		}
	}
	for _, name := range sortedKeys(t.roles) {
		p := t.roles[name]
		for _, c := range p.parts {
			t.res.Memberships = append(t.res.Memberships, Membership{Membership: graph.Membership{Member: p.id, Group: c.id,
				Native: "AGR_AGRS AGR_NAME=" + p.name + " CHILD_AGR=" + c.name}})
		}
	}
	for _, name := range sortedKeys(t.profiles) {
		p := t.profiles[name]
		for _, c := range p.parts {
			t.res.Memberships = append(t.res.Memberships, Membership{Membership: graph.Membership{Member: p.id, Group: c.id,
				Native: "UST10C PROFN=" + p.name + " SUBPROF=" + c.name}})
		}
	}
}

// member records that user holds h.p (and, for the combination of
// functions, every part of it) and emits the MEMBER_OF edge with h's
// evidence text. A second assignment of the same principal whose window
// overlaps or touches an earlier one widens that record (its text names both
// assignments); one with a disjoint window is a record of its own.
func (t *transformer) member(user string, h held) {
	uid := t.id("user", user)
	key := uid + "|" + h.p.id
	for _, i := range t.memberIdx[key] {
		m := &t.res.Memberships[i]
		w, ok := union(m.Window, h.w)
		if !ok {
			continue
		}
		old := m.Window
		m.Window = w
		m.ValidFrom, m.ExpiresAt = w.From, w.Until
		if !slices.Contains(strings.Split(m.Native, "; "), h.native) {
			m.Native += "; " + h.native
		}
		for j := range t.held[user] {
			if hj := &t.held[user][j]; hj.p == h.p && hj.w == old {
				hj.w = w
			}
		}
		return
	}
	t.memberIdx[key] = append(t.memberIdx[key], len(t.res.Memberships))
	t.res.Memberships = append(t.res.Memberships, Membership{Membership: graph.Membership{Member: uid, Group: h.p.id,
		ValidFrom: h.w.From, ExpiresAt: h.w.Until, Native: h.native}, Window: h.w, Via: h.via})
	t.held[user] = append(t.held[user], h)
}

// union is the window covering both when they overlap or touch.
func union(a, b Window) (Window, bool) {
	if a.Intersect(b).Empty() && !(a.Until.Equal(b.From) || b.Until.Equal(a.From)) {
		return a, false
	}
	out := a
	if b.From.Before(out.From) {
		out.From = b.From
	}
	if out.Until.IsZero() || b.Until.IsZero() {
		out.Until = timeZero
	} else if b.Until.After(out.Until) {
		out.Until = b.Until
	}
	return out, true
}

// principalGrants puts a grant on every role and profile that satisfies a
// function alone; a composite gets it only when no part satisfies it alone.
func (t *transformer) principalGrants() {
	t.granted = map[string]bool{}
	for _, list := range []map[string]*principal{t.roles, t.profiles} {
		for _, name := range sortedKeys(list) {
			p := list[name]
			for i := range t.sites {
				s := &t.sites[i]
				used, ok := s.satisfied(p.cover)
				if !ok || t.partSatisfies(p, s) {
					continue
				}
				t.grant(p.id, s, t.native(used, func(a atom) *instance { return p.deepInstanceFor(a, 0) }), Window{})
			}
		}
	}
}

// partSatisfies reports whether some part of p (at any depth) satisfies s alone.
func (t *transformer) partSatisfies(p *principal, s *site) bool {
	for _, part := range p.parts {
		if _, ok := s.satisfied(part.cover); ok {
			return true
		}
	}
	return false
}

func (t *transformer) grant(principal string, s *site, native string, w Window) {
	key := principal + "|" + string(s.fn.Action) + "|" + s.resource
	if t.granted[key] {
		return
	}
	t.granted[key] = true
	g := graph.Grant{Principal: principal, Action: s.fn.Action, Resource: s.resource, Native: native, ValidFrom: w.From, ExpiresAt: w.Until}
	t.res.Grants = append(t.res.Grants, Grant{Grant: g, Window: w})
}

// userGrants gives a user-level grant to each user who satisfies a function
// only by combining the roles and profiles they hold; its native names each
// contributing role and instance, its window is the intersection of the
// contributing assignments' windows (none when that is empty).
func (t *transformer) userGrants() {
	words := (len(t.atoms) + 63) / 64
	for _, name := range t.userNames {
		hs := t.held[name]
		if len(hs) < 2 {
			continue
		}
		hs = slices.Clone(hs)
		slices.SortStableFunc(hs, func(a, b held) int { return strings.Compare(a.p.id, b.p.id) })
		all := make(bitset, words)
		for _, h := range hs {
			all.or(h.p.cover)
		}
		uid := t.id("user", name)
		for i := range t.sites {
			s := &t.sites[i]
			used, ok := s.satisfied(all)
			if !ok || t.someSatisfies(hs, s) {
				continue
			}
			native, w, ok := t.combine(hs, used)
			if ok {
				t.grant(uid, s, native, w)
			}
		}
	}
}

func (t *transformer) someSatisfies(hs []held, s *site) bool {
	for _, h := range hs {
		if _, ok := s.satisfied(h.p.cover); ok {
			return true
		}
	}
	return false
}

// combine picks, for each atom used, the first held principal covering it,
// and returns the native string and the intersection of their windows.
func (t *transformer) combine(hs []held, used []int) (string, Window, bool) {
	var w Window
	chosen := map[int]*principal{}
	for _, ai := range used {
		for _, h := range hs {
			if h.p.cover.has(ai) {
				chosen[ai] = h.p
				w = w.Intersect(h.w)
				break
			}
		}
	}
	if w.Empty() {
		return "", w, false
	}
	native := t.native(used, func(a atom) *instance {
		for _, ai := range used {
			if t.atoms[ai] == a {
				return chosen[ai].deepInstanceFor(a, 0)
			}
		}
		return nil
	})
	return native, w, true
}

// delegations maps S_BTCH_NAM: a user holding BTCUNAME covering user Y can
// schedule job steps that run as Y (CAN_ACT_AS, kind run_as).
func (t *transformer) delegations() {
	for _, name := range t.userNames {
		seen := map[string]bool{} // target and window: a role held in two disjoint windows delegates in both
		for _, h := range t.held[name] {
			for _, in := range t.batchInstances(h.p, 0) {
				for _, y := range t.batchTargets(in) {
					key := y + "|" + h.w.From.String() + "|" + h.w.Until.String()
					if y == name || seen[key] {
						continue
					}
					seen[key] = true
					label := in.label()
					if in == allInstance {
						label = "(" + profileAll + ")"
					}
					d := graph.Delegation{From: t.id("user", name), To: t.id("user", y), Kind: schema.DelegRunAs, System: t.sys,
						Native: objBatchName + " " + fieldBatchUser + "=" + y + " " + label, ValidFrom: h.w.From, ExpiresAt: h.w.Until}
					t.res.Delegations = append(t.res.Delegations, Delegation{Delegation: d, Window: h.w})
				}
			}
		}
	}
}

// batchInstances are the S_BTCH_NAM instances of p and its parts.
func (t *transformer) batchInstances(p *principal, depth int) []*instance {
	if p.all {
		return []*instance{allInstance}
	}
	out := slices.Clone(p.inst[objBatchName])
	if depth < 16 {
		for _, part := range p.parts {
			out = append(out, t.batchInstances(part, depth+1)...)
		}
	}
	return out
}

// batchTargets are the users whose names an instance's BTCUNAME covers.
func (t *transformer) batchTargets(in *instance) []string {
	if in == allInstance {
		return t.userNames
	}
	var out []string
	for _, r := range in.fields[fieldBatchUser] {
		if r.high == "" && !strings.HasSuffix(r.low, "*") {
			if t.users[r.low] != nil {
				out = append(out, r.low)
			}
			continue
		}
		for _, u := range t.userNames {
			if r.covers(u) {
				out = append(out, u)
			}
		}
	}
	return out
}
