package k8srbac

import (
	"slices"

	"github.com/reachgraph/reachgraph/schema"
)

// actAs adds the CAN_ACT_AS edges a binding's permissions give
// (docs/ingest-kubernetes.md "Acting as another identity"): impersonate on
// serviceaccounts (and, cluster-wide, on users), create on
// serviceaccounts/token, create on pods (any service account of the scope),
// create on pods/exec and update/patch on pods (the service accounts of the
// scope's pods), and — when the input holds no Secret at all — read on
// secrets (the token secrets are assumed).
func (t *transformer) actAs(sc scope, perms []perm) {
	for _, p := range perms {
		switch {
		case p.matches("serviceaccounts", "impersonate"):
			t.toSAs(sc, p, schema.DelegImpersonate, "", true)
		case p.matches("serviceaccounts/token", "create"):
			t.toSAs(sc, p, schema.DelegOther, "", true)
		case p.matches("users", "impersonate") && sc.ns == "":
			// Users are cluster-scoped: only a ClusterRoleBinding lets
			// anyone impersonate them.
			for _, u := range sortedKeys(t.users) {
				if len(p.names) == 0 || slices.Contains(p.names, u) {
					t.delegate(sc.principal, t.userID(u), schema.DelegImpersonate, p.native)
				}
			}
		}
		if p.matches("pods", "create") {
			t.toSAs(sc, p, schema.DelegRunAs, "", false)
		}
		if p.matches("pods/exec", "create") || p.matches("pods", "update") || p.matches("pods", "patch") {
			t.toPodSAs(sc, p)
		}
		if !t.haveSecrets && len(p.names) == 0 && (p.matches("secrets", "get") || p.matches("secrets", "list") || p.matches("secrets", "watch")) {
			t.toSAs(sc, p, schema.DelegOther, "the input has no Secret objects, so each service account is assumed to have a token secret, as clusters before 1.24 created one", false)
		}
	}
}

// matches reports whether the permission covers verb on TYPE typ.
func (p perm) matches(typ, verb string) bool {
	return (p.typ == typ || p.typ == anyType || p.typ == groupType(groupOf(typ))) && (p.verb == verb || p.verb == "*")
}

// toSAs delegates to every service account of the scope (those named, when
// byName and the permission names any).
func (t *transformer) toSAs(sc scope, p perm, k schema.DelegationKind, approx string, byName bool) {
	native := p.native
	if approx != "" {
		native += " (approximated: " + approx + ")"
	}
	for _, sa := range t.saList {
		if sc.ns != "" && sa.ns != sc.ns {
			continue
		}
		if byName && len(p.names) > 0 && !slices.Contains(p.names, sa.name) {
			continue
		}
		t.delegate(sc.principal, t.saID(sa.ns, sa.name), k, native)
	}
}

// toPodSAs delegates to the service accounts the scope's pods run as
// (the pods named, if any). Without any Pod in the input every service
// account of the scope is assumed.
func (t *transformer) toPodSAs(sc scope, p perm) {
	if !t.havePods {
		t.toSAs(sc, p, schema.DelegRunAs, "the input has no Pod objects, so any service account of the scope may run a pod", false)
		return
	}
	for _, pod := range t.pods {
		if sc.ns != "" && pod.ns != sc.ns {
			continue
		}
		if len(p.names) > 0 && !slices.Contains(p.names, pod.name) {
			continue
		}
		t.delegate(sc.principal, t.saID(pod.ns, pod.sa), schema.DelegRunAs, p.native+" (pod "+pod.ns+"/"+pod.name+")")
	}
}

// escalation grants what a binding can give itself: with bind on roles (or
// escalate) plus create on the binding type of its scope, every role it may
// bind is applied in that scope; with escalate plus update/patch on its own
// role, that role can be given any rule (admin on the scope).
func (t *transformer) escalation(sc scope, own *Object, perms []perm) {
	if fullAdmin(t.rulesOf(own)) {
		return // admin on the whole scope already: nothing to gain
	}
	rbType := "rolebindings." + rbacGroup
	if sc.ns == "" && has(perms, "clusterrolebindings."+rbacGroup, "create") {
		t.bindable(sc, perms, "clusterrolebindings")
	} else if has(perms, rbType, "create") {
		t.bindable(sc, perms, "rolebindings")
	}
	ownType := "roles." + rbacGroup
	if own.Kind == KindClusterRole {
		ownType = "clusterroles." + rbacGroup
	}
	for _, p := range perms {
		if !p.matches(ownType, "escalate") || (len(p.names) > 0 && !slices.Contains(p.names, own.Metadata.Name)) {
			continue
		}
		if has(perms, ownType, "update") || has(perms, ownType, "patch") {
			node := t.sys
			if sc.ns != "" {
				node = t.nsNode(sc.ns)
			}
			t.grant(sc.principal, schema.ActionAdmin, node, "escalation: escalate + update on its own "+own.Kind+" "+own.label()+" "+sc.where()+" may add any rule to it ("+sc.via+")", false)
			return
		}
	}
}

func has(perms []perm, typ, verb string) bool {
	for _, p := range perms {
		if p.matches(typ, verb) {
			return true
		}
	}
	return false
}

// bindable applies, in scope sc (each namespace when a ClusterRoleBinding
// lets it create RoleBindings everywhere), the rules of every role the
// binding may bind: the ones `bind` names. (`escalate` alone does not let
// it create a binding to a role whose rules it does not hold.)
func (t *transformer) bindable(sc scope, perms []perm, creates string) {
	var roles []*Object
	seen := map[*Object]bool{}
	for _, p := range perms {
		if p.verb != "bind" && p.verb != "*" {
			continue
		}
		for _, r := range t.rolesOfType(sc, p) {
			if !seen[r] {
				seen[r] = true
				roles = append(roles, r)
			}
		}
	}
	for _, r := range roles {
		if fullAdmin(t.rulesOf(r)) {
			roles = []*Object{r} // it grants everything the others could
			break
		}
	}
	scopes := []string{sc.ns}
	if sc.ns == "" && creates == "rolebindings" {
		scopes = t.nsList
	}
	for _, ns := range scopes {
		for _, r := range roles {
			if r.Kind == KindRole && r.Namespace() != ns {
				continue
			}
			esc := scope{ns: ns, principal: sc.principal, via: sc.via,
				prefix: "escalation: may bind " + r.Kind + " " + r.label() + " (bind + create " + creates + ", " + sc.via + "): "}
			t.actAs(esc, t.applyRules(esc, t.rulesOf(r)))
		}
	}
}

// rolesOfType are the roles a bind permission covers in scope sc.
func (t *transformer) rolesOfType(sc scope, p perm) []*Object {
	var out []*Object
	named := func(name string) bool { return len(p.names) == 0 || slices.Contains(p.names, name) }
	if p.matches("clusterroles."+rbacGroup, p.verb) {
		for _, name := range sortedKeys(t.clusterRoles) {
			if named(name) {
				out = append(out, t.clusterRoles[name])
			}
		}
	}
	if p.matches("roles."+rbacGroup, p.verb) {
		for _, key := range sortedKeys(t.roles) {
			r := t.roles[key]
			if (sc.ns == "" || r.Namespace() == sc.ns) && named(r.Metadata.Name) {
				out = append(out, r)
			}
		}
	}
	return out
}

// fullAdmin reports whether rules hold every verb on every resource of
// every API group.
func fullAdmin(rules []Rule) bool {
	for _, r := range rules {
		if slices.Contains(r.Verbs, "*") && slices.Contains(r.APIGroups, "*") && slices.Contains(r.Resources, "*") {
			return true
		}
	}
	return false
}
