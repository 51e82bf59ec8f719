package k8srbac

import (
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// scope is where a binding's rules apply: one namespace, or the whole
// cluster (ns "").
type scope struct {
	ns        string
	principal string // the binding's group
	via       string // "Role default/x, RoleBinding default/y"
	prefix    string // "escalation: …: " for rules of a bindable role
}

func (s scope) where() string {
	if s.ns == "" {
		return "cluster-wide"
	}
	return "in ns " + s.ns
}

// perm is one (verb, TYPE) a binding holds, for the act-as and escalation
// rules; typ is anyType for every type, "*" or "*.group" for every type of
// one API group.
const anyType = "**"

type perm struct {
	verb   string
	typ    string
	names  []string
	native string
}

// binding turns one binding into its group, memberships, grants and
// delegations.
func (t *transformer) binding(b *Object) {
	id := t.bindingID(b)
	name := b.Kind + " " + b.label()
	if b.Kind == KindClusterRoleBinding && b.RoleRef.Kind == KindRole {
		// The API server rejects it; manifests and test data have it.
		name += " (grants nothing: a ClusterRoleBinding cannot refer to Role " + b.RoleRef.Name + ")"
	}
	t.d.GroupList = append(t.d.GroupList, graph.Group{ID: id, Name: name, Type: schema.GroupGroup, System: t.sys})
	for _, s := range b.Subjects {
		if sid := t.subjectID(b, s); sid != "" {
			t.member(sid, id)
		}
	}
	role := t.roleOf(b)
	if role == nil {
		return // a binding to a role missing from the input grants nothing
	}
	t.member(id, t.roleID(role))
	sc := scope{principal: id, via: role.Kind + " " + role.label() + ", " + b.Kind + " " + b.label()}
	if b.Kind == KindRoleBinding {
		sc.ns = b.Namespace()
	}
	perms := t.applyRules(sc, t.rulesOf(role))
	t.actAs(sc, perms)
	t.escalation(sc, role, perms)
}

// roleOf is the role a binding refers to, nil when it is not in the input.
func (t *transformer) roleOf(b *Object) *Object {
	if b.Kind == KindClusterRoleBinding && b.RoleRef.Kind != KindClusterRole {
		return nil
	}
	if b.RoleRef.Kind == KindClusterRole {
		return t.clusterRoles[b.RoleRef.Name]
	}
	return t.roles[b.Namespace()+"/"+b.RoleRef.Name]
}

// rulesOf is a role's rules; an aggregated ClusterRole's are the union of
// its own and those of every ClusterRole its selectors match, transitively.
func (t *transformer) rulesOf(r *Object) []Rule {
	if r.Kind != KindClusterRole || r.AggregationRule == nil {
		return r.Rules
	}
	return t.aggregate(r.Metadata.Name, map[string]bool{})
}

func (t *transformer) aggregate(name string, visiting map[string]bool) []Rule {
	if rules, ok := t.aggregated[name]; ok {
		return rules
	}
	r := t.clusterRoles[name]
	if r.AggregationRule == nil || visiting[name] {
		return r.Rules
	}
	visiting[name] = true
	rules := slices.Clone(r.Rules)
	for _, other := range sortedKeys(t.clusterRoles) {
		o := t.clusterRoles[other]
		if other == name {
			continue
		}
		for _, sel := range r.AggregationRule.ClusterRoleSelectors {
			if sel.matches(o.Metadata.Labels) {
				rules = append(rules, t.aggregate(other, visiting)...)
				break
			}
		}
	}
	delete(visiting, name)
	t.aggregated[name] = rules
	return rules
}

// applyRules grants the rules in scope sc and returns the permissions they
// hold.
func (t *transformer) applyRules(sc scope, rules []Rule) []perm {
	var perms []perm
	for _, r := range rules {
		if len(r.NonResourceURLs) > 0 && sc.ns == "" {
			t.urlGrants(sc, r)
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				perms = append(perms, t.resourceGrants(sc, r, g, res)...)
			}
		}
	}
	return perms
}

// byAction groups verbs by the action they grant, in action order.
func byAction(verbs []string) (map[schema.Action][]string, []schema.Action) {
	m := map[schema.Action][]string{}
	var order []schema.Action
	for _, v := range verbs {
		a, ok := verbAction(v)
		if !ok {
			continue
		}
		if _, seen := m[a]; !seen {
			order = append(order, a)
		}
		m[a] = append(m[a], v)
	}
	slices.Sort(order)
	return m, order
}

func (t *transformer) urlGrants(sc scope, r Rule) {
	m, order := byAction(r.Verbs)
	for _, u := range r.NonResourceURLs {
		node := t.urlNode(u)
		for _, a := range order {
			t.grant(sc.principal, a, node, sc.prefix+strings.Join(m[a], ",")+" "+u+" ("+sc.via+")", false)
		}
	}
}

// resourceGrants grants one (apiGroup, resource) of rule r in scope sc.
func (t *transformer) resourceGrants(sc scope, r Rule, group, res string) []perm {
	typ := typeName(group, res)
	what := typ
	if len(r.ResourceNames) > 0 {
		what += " " + strings.Join(r.ResourceNames, ",")
	}
	m, order := byAction(r.Verbs)
	native := func(verbs []string) string {
		return sc.prefix + strings.Join(verbs, ",") + " " + what + " " + sc.where() + " (" + sc.via + ")"
	}
	targets, approx := t.targets(sc, group, res, typ, r)
	for _, a := range order {
		n := native(m[a])
		if approx != "" {
			n += " (approximated: " + approx + ")"
		}
		for _, node := range targets {
			t.grant(sc.principal, a, node, n, approx != "")
		}
	}
	var perms []perm
	switch {
	case res == "*" && group == "*":
		typ = anyType
	case res == "*":
		typ = groupType(group)
	}
	for _, v := range r.Verbs {
		perms = append(perms, perm{verb: strings.ToLower(v), typ: typ, names: r.ResourceNames, native: native([]string{v})})
	}
	return perms
}

// targets are the nodes a rule's (group, resource) is granted on in scope
// sc, and the approximation made ("" for none).
func (t *transformer) targets(sc scope, group, res, typ string, r Rule) ([]string, string) {
	if strings.Contains(res, "*") {
		approx := ""
		if res != "*" {
			approx = "resources " + res + " granted on every resource of API group " + quoteGroup(group)
		}
		switch {
		case group == "*" && sc.ns == "":
			if approx != "" {
				approx = "resources " + res + " of every API group granted on the whole cluster"
			}
			return []string{t.sys}, approx
		case group == "*":
			if approx != "" {
				approx = "resources " + res + " of every API group granted on the whole namespace"
			}
			return []string{t.nsNode(sc.ns)}, approx
		case sc.ns != "":
			return []string{t.groupNode(sc.ns, group)}, approx
		}
		var nodes []string
		for _, ns := range t.nsList {
			nodes = append(nodes, t.groupNode(ns, group))
		}
		return append(nodes, t.clusterGroupNode(group)), approx
	}
	var types []string
	switch {
	case isClusterScoped(typ) && sc.ns != "":
		// A RoleBinding grants nothing on cluster-scoped types, except
		// that bind on ClusterRoles lets it create RoleBindings in its
		// namespace that refer to them.
		if baseType(typ) != "clusterroles."+rbacGroup || !hasVerb(r.Verbs, "bind") {
			return nil, ""
		}
		types = []string{t.typeNode(sc.ns, typ)}
	case isClusterScoped(typ):
		types = []string{t.clusterTypeNode(typ)}
	case sc.ns != "":
		types = []string{t.typeNode(sc.ns, typ)}
	default:
		for _, ns := range t.nsList {
			types = append(types, t.typeNode(ns, typ))
		}
		types = append(types, t.clusterTypeNode(typ))
	}
	if len(r.ResourceNames) == 0 {
		return types, ""
	}
	var named []string
	for _, tn := range types {
		ns := ""
		if strings.HasPrefix(tn, t.c+":ns:") {
			ns = strings.TrimPrefix(tn, t.c+":ns:")
			ns, _, _ = strings.Cut(ns, ":")
		}
		for _, name := range r.ResourceNames {
			named = append(named, t.namedNode(tn, ns, typ, name))
		}
	}
	return named, ""
}

func quoteGroup(g string) string {
	if g == "" {
		return `"" (core)`
	}
	return g
}

func hasVerb(verbs []string, v string) bool {
	for _, x := range verbs {
		if x == v || x == "*" {
			return true
		}
	}
	return false
}

func (t *transformer) grant(principal string, a schema.Action, res, native string, cond bool) {
	key := principal + "\x00" + string(a) + "\x00" + res + "\x00" + native
	if t.grants[key] {
		return
	}
	t.grants[key] = true
	t.d.GrantList = append(t.d.GrantList, graph.Grant{Principal: principal, Action: a, Resource: res, Native: native, Conditional: cond})
}

func (t *transformer) delegate(from, to string, k schema.DelegationKind, native string) {
	key := from + "\x00" + to + "\x00" + string(k)
	if t.delegs[key] || from == to {
		return
	}
	t.delegs[key] = true
	t.d.DelegationList = append(t.d.DelegationList, graph.Delegation{From: from, To: to, Kind: k, System: t.sys, Native: native})
}
