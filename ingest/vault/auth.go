package vault

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// rolePolicies are the policies a role's tokens carry: token_policies and
// the legacy policies field, plus default unless token_no_default_policy.
func rolePolicies(d *RoleData) []string {
	ps := union(slices.Clone([]string(d.TokenPolicies)), d.Policies)
	if !d.TokenNoDefaultPolicy {
		ps = union(ps, []string{"default"})
	}
	return ps
}

// role emits a role's identity, its token, its policy memberships, and
// the subjects that can log in to it.
func (t *transformer) role(r *Role) {
	id := t.roleID(r)
	typ := schema.IdentityWorkload
	if r.Type == "approle" {
		typ = schema.IdentityApplication
	}
	ds := &t.out.Records
	ds.IdentityList = append(ds.IdentityList, graph.Identity{ID: id, Name: r.Mount + "/" + r.Name, Type: typ,
		Purpose: "Vault " + r.Type + " auth role"})
	ds.CredentialList = append(ds.CredentialList, graph.Credential{ID: id + ":token", Identity: id, Type: schema.CredToken, Systems: []string{t.c}})
	for _, p := range rolePolicies(&r.Data) {
		ds.MembershipList = append(ds.MembershipList, graph.Membership{Member: id, Group: t.policyID(p)})
	}
	switch r.Type {
	case "kubernetes":
		t.kubernetesRole(r)
	case "approle":
		t.approleRole(r)
	case "jwt", "oidc":
		t.jwtRole(r)
	}
}

// login gives subject (a placeholder identity of typ named name) a
// federated login credential at the role's mount and a delegation into the
// role.
func (t *transformer) login(r *Role, subject, name string, typ schema.IdentityType, kind schema.DelegationKind, native string) {
	if t.once(subject) {
		t.out.Placeholders.IdentityList = append(t.out.Placeholders.IdentityList, graph.Identity{ID: subject, Name: name, Type: typ})
	}
	cred := t.c + ":login:" + r.Mount + ":" + subject
	if t.once(cred) {
		t.out.Records.CredentialList = append(t.out.Records.CredentialList, graph.Credential{ID: cred, Identity: subject, Type: schema.CredFederated, Systems: []string{t.c}})
	}
	t.out.Records.DelegationList = append(t.out.Records.DelegationList, graph.Delegation{
		From: subject, To: t.roleID(r), Kind: kind, System: t.c, Native: native})
}

// kubernetesRole binds the role's service accounts (names × namespaces).
func (t *transformer) kubernetesRole(r *Role) {
	d := &r.Data
	k := "k8s:" + t.exp.Config.k8sCluster(r.Mount) + ":sa:"
	native := fmt.Sprintf("auth/%s/role/%s: bound_service_account_names=[%s] bound_service_account_namespaces=[%s]",
		r.Mount, r.Name, strings.Join(d.BoundSANames, ","), strings.Join(d.BoundSANamespaces, ","))
	namespaces := []string(d.BoundSANamespaces)
	if d.NamespaceSelector != "" {
		native += " bound_service_account_namespace_selector=" + d.NamespaceSelector + " (approximated: the selector is not evaluated; only the listed namespaces are bound)"
	}
	for _, ns := range namespaces {
		for _, name := range d.BoundSANames {
			if ns != "*" && name != "*" && !strings.ContainsAny(ns+name, "*?") {
				t.login(r, k+ns+"/"+name, ns+"/"+name, schema.IdentityWorkload, schema.DelegAssumeRole, native)
				continue
			}
			t.wildcardSAs(r, k, ns, name, native)
		}
	}
}

// wildcardSAs binds every service account of the load that matches ns/name
// (either may be "*" or a glob); with none it binds a placeholder that
// stands for all of them.
func (t *transformer) wildcardSAs(r *Role, k, ns, name, native string) {
	var found []string
	if t.exp.ServiceAccounts != nil {
		prefix := k
		if !strings.ContainsAny(ns, "*?") {
			prefix += ns + "/"
		}
		for _, id := range t.exp.ServiceAccounts(prefix) {
			n, s, ok := strings.Cut(strings.TrimPrefix(id, k), "/")
			if ok && globMatch(ns, n) && globMatch(name, s) {
				found = append(found, id)
			}
		}
	}
	if len(found) == 0 {
		t.login(r, k+ns+"/"+name, "every service account matching "+ns+"/"+name, schema.IdentityWorkload, schema.DelegAssumeRole,
			native+" (approximated: no matching service account in this load; this identity stands for all of them)")
		return
	}
	for _, id := range found {
		t.login(r, id, strings.TrimPrefix(id, k), schema.IdentityWorkload, schema.DelegAssumeRole, native+" (wildcard expanded over the service accounts in this load)")
	}
}

// globMatch matches Vault's kubernetes-auth globs: "*" anywhere.
func globMatch(glob, s string) bool {
	if glob == "*" {
		return true
	}
	parts := strings.Split(glob, "*")
	if len(parts) == 1 {
		return glob == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// approleRole gives the AppRole holder (whoever has role_id and a
// secret_id) an api_key credential per secret id and a delegation.
func (t *transformer) approleRole(r *Role) {
	d := &r.Data
	holder := t.c + ":approle:" + r.Mount + "/" + r.Name
	ds := &t.out.Records
	ds.IdentityList = append(ds.IdentityList, graph.Identity{ID: holder, Name: "AppRole " + r.Mount + "/" + r.Name, Type: schema.IdentityApplication,
		Purpose: "holder of the role_id (and a secret_id) of AppRole " + r.Name})
	ids := t.exp.SecretIDs[r.Mount+"/"+r.Name]
	for _, s := range ids {
		ds.CredentialList = append(ds.CredentialList, graph.Credential{ID: holder + ":secret_id:" + s.Accessor, Identity: holder, Type: schema.CredAPIKey,
			Systems: []string{t.c}, CreatedAt: s.Created, ExpiresAt: s.Expires})
	}
	if len(ids) == 0 {
		ds.CredentialList = append(ds.CredentialList, graph.Credential{ID: holder + ":secret_id", Identity: holder, Type: schema.CredAPIKey, Systems: []string{t.c}})
	}
	native := fmt.Sprintf("auth/%s/role/%s: role_id + secret_id login", r.Mount, r.Name)
	if d.BindSecretID != nil && !*d.BindSecretID {
		native = fmt.Sprintf("auth/%s/role/%s: bind_secret_id=false, the role_id alone logs in", r.Mount, r.Name)
	}
	if d.SecretIDTTL > 0 {
		native += fmt.Sprintf(" secret_id_ttl=%ds", int64(d.SecretIDTTL)/1e9)
	}
	if cidrs := union(slices.Clone([]string(d.SecretIDBoundCIDR)), d.TokenBoundCIDRs); len(cidrs) > 0 {
		native += " (approximated: login only from " + strings.Join(cidrs, ",") + ", not evaluated)"
	}
	ds.DelegationList = append(ds.DelegationList, graph.Delegation{From: holder, To: t.roleID(r), Kind: schema.DelegAssumeRole, System: t.c, Native: native})
}

// jwtRole binds the role's subject: bound_subject, else the bound claims,
// else any token of the issuer.
func (t *transformer) jwtRole(r *Role) {
	d := &r.Data
	iss := t.exp.Issuers[r.Mount]
	if iss == "" && t.exp.Config != nil {
		iss = t.exp.Config.JWTIssuers[r.Mount]
	}
	if iss == "" {
		iss = r.Mount
	}
	claims := claimList(d.BoundClaims)
	subject, name := "oidc:"+iss+":sub:"+d.BoundSubject, d.BoundSubject
	switch {
	case d.BoundSubject != "":
	case len(claims) > 0:
		subject, name = "oidc:"+iss+":claims:"+strings.Join(claims, ","), strings.Join(claims, ",")
	default:
		subject, name = "oidc:"+iss+":sub:*", "any subject of "+iss
	}
	native := fmt.Sprintf("auth/%s/role/%s: role_type=%s", r.Mount, r.Name, cmpOr(d.RoleType, r.Type))
	if d.BoundSubject != "" {
		native += fmt.Sprintf(" bound_subject=%q", d.BoundSubject)
	}
	if len(claims) > 0 {
		native += " bound_claims={" + strings.Join(claims, ", ") + "}"
	}
	if len(d.BoundAudiences) > 0 {
		native += " bound_audiences=[" + strings.Join(d.BoundAudiences, ",") + "]"
	}
	if d.UserClaim != "" {
		native += " user_claim=" + d.UserClaim
	}
	if d.BoundClaimsType == "glob" || len(claims) > 0 && strings.Contains(strings.Join(claims, ","), "*") {
		native += " (approximated: glob claims; this identity stands for every subject they admit)"
	}
	typ, kind := schema.IdentityWorkload, schema.DelegAssumeRole
	if cmpOr(d.RoleType, r.Type) == "oidc" {
		typ, kind = schema.IdentityHuman, schema.DelegOAuthGrant
	}
	t.login(r, subject, name, typ, kind, native)
}

// claimList renders bound_claims as sorted key=value items (lists joined
// with "|").
func claimList(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case []any:
			vs := make([]string, len(x))
			for i, e := range x {
				vs[i] = fmt.Sprint(e)
			}
			out = append(out, k+"="+strings.Join(vs, "|"))
		default:
			out = append(out, k+"="+fmt.Sprint(x))
		}
	}
	sort.Strings(out)
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
