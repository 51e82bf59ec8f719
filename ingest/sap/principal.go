package sap

import (
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// profileAll is the profile that covers every check.
const profileAll = "SAP_ALL"

// principal is a role or profile: its own authorization instances, the
// roles/profiles it contains (composite role → single roles, composite
// profile → sub-profiles) and the atoms it covers, alone or with its parts.
type principal struct {
	id       string
	name     string
	profile  bool
	all      bool                   // SAP_ALL
	inst     map[string][]*instance // object → own instances
	parts    []*principal           // direct children
	cover    bitset                 // atoms covered by its own instances and its parts'
	visiting bool
}

// bitset is a set of atom indexes.
type bitset []uint64

func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) set(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

// held is a principal a user holds, with the window of the assignment, the
// reference user it comes through ("" for a direct one) and the assignment's
// evidence text (the table row it came from).
type held struct {
	p      *principal
	w      Window
	via    string
	native string
}

func (t *transformer) role(name string) *principal {
	p := t.roles[name]
	if p == nil {
		p = &principal{id: t.id("role", name), name: name}
		t.roles[name] = p
	}
	return p
}

func (t *transformer) profile(name string) *principal {
	p := t.profiles[name]
	if p == nil {
		p = &principal{id: t.id("profile", name), name: name, profile: true, all: name == profileAll}
		t.profiles[name] = p
	}
	return p
}

// principals builds every role and profile with its instances and parts.
func (t *transformer) principals() {
	t.roles, t.profiles = map[string]*principal{}, map[string]*principal{}
	vars := map[string]map[string][]valueRange{}
	for _, o := range t.x.OrgValues {
		if vars[o.Role] == nil {
			vars[o.Role] = map[string][]valueRange{}
		}
		vars[o.Role][o.Var] = append(vars[o.Role][o.Var], valueRange{low: o.Low, high: o.High})
	}
	roleInst := buildInstances(t.x.RoleValues, func(v AuthValue) []string { return []string{v.Holder} }, vars)
	for name, inst := range roleInst {
		t.role(name).inst = inst
	}
	for _, a := range t.x.Assignments {
		t.role(a.Role)
	}
	for _, c := range t.x.Children {
		parent, child := t.role(c.Composite), t.role(c.Child)
		if parent != child && !slices.Contains(parent.parts, child) {
			parent.parts = append(parent.parts, child)
		}
	}
	// Profiles: UST12 values reach a profile through UST10S, or UST12.PROFN.
	byAuth := map[[2]string][]string{}
	for _, pa := range t.x.ProfileAuths {
		k := [2]string{pa.Object, pa.Auth}
		byAuth[k] = append(byAuth[k], pa.Profile)
	}
	profInst := buildInstances(t.x.ProfileValues, func(v AuthValue) []string {
		if v.Holder != "" {
			return []string{v.Holder}
		}
		return byAuth[[2]string{v.Object, v.Auth}]
	}, nil)
	for name, inst := range profInst {
		t.profile(name).inst = inst
	}
	for _, up := range t.x.UserProfiles {
		t.profile(up.Profile)
	}
	for _, pa := range t.x.ProfileAuths {
		t.profile(pa.Profile)
	}
	for _, sp := range t.x.SubProfiles {
		parent, child := t.profile(sp.Composite), t.profile(sp.Sub)
		if parent != child && !slices.Contains(parent.parts, child) {
			parent.parts = append(parent.parts, child)
		}
	}
	for _, name := range sortedKeys(t.roles) {
		p := t.roles[name]
		t.res.Groups = append(t.res.Groups, graph.Group{ID: p.id, Name: name, Type: schema.GroupRole, System: t.sys})
	}
	for _, name := range sortedKeys(t.profiles) {
		p := t.profiles[name]
		t.res.Groups = append(t.res.Groups, graph.Group{ID: p.id, Name: name, Type: schema.GroupGroup, System: t.sys})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// atom is one check in one company code ("" for checks without one).
type atom struct {
	check *Check
	cc    string
}

// site is one function in one company code (or on the system): the atoms of
// its entries (any one) and of its checks (all), and the resource it is on.
type site struct {
	fn       *Function
	cc       string
	resource string
	entries  []int
	checks   []int
}

func (t *transformer) atomFor(c *Check, cc string) int {
	if c.CompanyCode == "" {
		cc = ""
	}
	key := c.describe(cc)
	if i, ok := t.atomIdx[key]; ok {
		return i
	}
	t.atoms = append(t.atoms, atom{check: c, cc: cc})
	t.atomIdx[key] = len(t.atoms) - 1
	return len(t.atoms) - 1
}

// atomsAndSites enumerates the sites and atoms of the function map, then the
// atoms each principal covers.
func (t *transformer) atomsAndSites() {
	t.atomIdx = map[string]int{}
	for i := range t.fm.Functions {
		f := &t.fm.Functions[i]
		ccs, res := t.ccs, func(cc string) string { return t.id("bukrs", cc, f.Kind) }
		if f.Scope == "system" {
			ccs, res = []string{""}, func(string) string { return t.id(f.Kind) }
		}
		for _, cc := range ccs {
			s := site{fn: f, cc: cc, resource: res(cc)}
			for j := range f.Entries {
				s.entries = append(s.entries, t.atomFor(&f.Entries[j], cc))
			}
			for j := range f.Checks {
				s.checks = append(s.checks, t.atomFor(&f.Checks[j], cc))
			}
			t.sites = append(t.sites, s)
		}
	}
	for _, name := range sortedKeys(t.roles) {
		t.computeCover(t.roles[name])
	}
	for _, name := range sortedKeys(t.profiles) {
		t.computeCover(t.profiles[name])
	}
}

// computeCover fills p.cover: its own instances, then its parts' covers
// (composite profiles may nest; a cycle is cut).
func (t *transformer) computeCover(p *principal) bitset {
	if p.cover != nil || p.visiting {
		if p.cover == nil {
			return make(bitset, (len(t.atoms)+63)/64)
		}
		return p.cover
	}
	p.visiting = true
	c := make(bitset, (len(t.atoms)+63)/64)
	for i, a := range t.atoms {
		if p.instanceFor(a) != nil {
			c.set(i)
		}
	}
	for _, part := range p.parts {
		c.or(t.computeCover(part))
	}
	p.visiting = false
	p.cover = c
	return c
}

// allInstance stands for SAP_ALL in native strings.
var allInstance = &instance{holder: profileAll, auth: profileAll}

// instanceFor is p's own first instance covering atom a, nil if none.
func (p *principal) instanceFor(a atom) *instance {
	if p.all {
		return allInstance
	}
	for _, in := range p.inst[a.check.Object] {
		if in.covers(a.check, a.cc) {
			return in
		}
	}
	return nil
}

// deepInstanceFor is the instance covering a in p or its parts (depth first).
func (p *principal) deepInstanceFor(a atom, depth int) *instance {
	if in := p.instanceFor(a); in != nil || depth > 16 {
		return in
	}
	for _, part := range p.parts {
		if in := part.deepInstanceFor(a, depth+1); in != nil {
			return in
		}
	}
	return nil
}

// satisfied reports whether a cover satisfies site s, and the atoms used:
// the first entry covered, then every check.
func (s *site) satisfied(c bitset) ([]int, bool) {
	entry := -1
	for _, a := range s.entries {
		if c.has(a) {
			entry = a
			break
		}
	}
	if entry < 0 {
		return nil, false
	}
	for _, a := range s.checks {
		if !c.has(a) {
			return nil, false
		}
	}
	return append([]int{entry}, s.checks...), true
}

// native renders the atoms used with the instance each was covered by.
func (t *transformer) native(used []int, inst func(atom) *instance) string {
	parts := make([]string, len(used))
	for i, ai := range used {
		a := t.atoms[ai]
		label := "(?)"
		if in := inst(a); in != nil {
			label = in.label()
			if in == allInstance {
				label = "(" + profileAll + ")"
			}
		}
		parts[i] = a.check.describe(a.cc) + " " + label
	}
	return strings.Join(parts, " + ")
}
