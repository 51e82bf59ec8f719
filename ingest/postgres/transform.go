package postgres

import (
	"slices"
	"sort"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Records are the records of one catalog, split so that a cluster read
// through several sources (one URL per database) is declared once: Cluster
// holds the system, roles, memberships, delegations, credentials and the
// superuser grants; Objects the databases, schemas, tables and their grants.
type Records struct {
	Cluster graph.Dataset
	Objects graph.Dataset
	// SystemID is the cluster's system id, postgres:CLUSTER.
	SystemID string
	// TrustRules lists, per login role that a trust rule of pg_hba matches,
	// the rule's line ("role: pg_hba.conf line N"); such a role logs in
	// without any credential.
	TrustRules []string
}

// PUBLIC is the pseudo-role every role is a member of.
const PUBLIC = "PUBLIC"

// transformer holds the lookups of one Transform.
type transformer struct {
	cat    *Catalog
	cfg    *Config
	sys    string
	roles  map[string]*Role
	out    *Records
	parent map[string][]string // role → roles it is a member of (any option), for +group in pg_hba
}

// Transform maps a catalog to records (docs/ingest-postgres.md). It is pure:
// the same catalog and configuration always give the same records in the
// same order. cfg may be nil.
func Transform(cat *Catalog, cfg *Config) *Records {
	cluster := cat.Address
	if cfg != nil && cfg.Cluster != "" {
		cluster = cfg.Cluster
	}
	t := &transformer{cat: cat, cfg: cfg, sys: "postgres:" + cluster, roles: map[string]*Role{}, out: &Records{}, parent: map[string][]string{}}
	t.out.SystemID = t.sys
	for i := range cat.Roles {
		t.roles[cat.Roles[i].Name] = &cat.Roles[i]
	}
	for _, m := range cat.Members {
		t.parent[m.Member] = append(t.parent[m.Member], m.Role)
	}
	t.system()
	t.rolesAndCredentials()
	t.memberships()
	t.presize()
	for i := range cat.Databases {
		t.database(&cat.Databases[i])
	}
	return t.out
}

func (t *transformer) roleID(name string) string { return t.sys + ":role:" + name }

func (t *transformer) system() {
	s := graph.System{ID: t.sys, Name: strings.TrimPrefix(t.sys, "postgres:"), Kind: "database"}
	if t.cfg != nil {
		s.SOXScope, s.Owner = t.cfg.SOXScope, t.cfg.Owner
	}
	t.out.Cluster.SystemList = append(t.out.Cluster.SystemList, s)
}

// rolesAndCredentials declares PUBLIC, every role (login → identity with a
// login credential, else group) and the superuser grants.
func (t *transformer) rolesAndCredentials() {
	c := &t.out.Cluster
	public := t.roleID(PUBLIC)
	c.GroupList = append(c.GroupList, graph.Group{ID: public, Name: PUBLIC, Type: schema.GroupRole, System: t.sys})
	for i := range t.cat.Roles {
		r := &t.cat.Roles[i]
		id := t.roleID(r.Name)
		if r.CanLogin {
			c.IdentityList = append(c.IdentityList, graph.Identity{ID: id, Name: r.Name, Type: t.cfg.roleType(r.Name), Status: schema.StatusActive})
			c.CredentialList = append(c.CredentialList, t.credential(r))
		} else {
			c.GroupList = append(c.GroupList, graph.Group{ID: id, Name: r.Name, Type: schema.GroupRole, System: t.sys})
		}
		c.MembershipList = append(c.MembershipList, graph.Membership{Member: id, Group: public})
		if r.Super {
			c.GrantList = append(c.GrantList, graph.Grant{Principal: id, Action: schema.ActionAdmin, Resource: t.sys, Native: "SUPERUSER" + bypass(r)})
		}
	}
}

// bypass is the BYPASSRLS note kept in the native of a role's grants.
func bypass(r *Role) string {
	if r != nil && r.BypassRLS {
		return " [BYPASSRLS]"
	}
	return ""
}

// credential is the login credential of login role r: its type from the
// first pg_hba rule that can match the role (trust wins over any other
// matching rule), revoked when readable rules match none.
func (t *transformer) credential(r *Role) graph.Credential {
	cred := graph.Credential{ID: t.roleID(r.Name) + ":login", Identity: t.roleID(r.Name), Type: schema.CredPassword, Systems: []string{t.sys}}
	if r.ValidUntil != nil {
		cred.ExpiresAt = r.ValidUntil.UTC()
	}
	if t.cat.HBAUnreadable {
		return cred
	}
	first, trust := (*HBARule)(nil), (*HBARule)(nil)
	for i := range t.cat.HBA {
		h := &t.cat.HBA[i]
		if h.Error != "" || h.Method == "reject" || !t.hbaApplies(h, r.Name) {
			continue
		}
		if first == nil {
			first = h
		}
		if h.Method == "trust" && trust == nil {
			trust = h
		}
	}
	switch {
	case trust != nil:
		cred.Type = schema.CredTrust
		t.out.TrustRules = append(t.out.TrustRules, r.Name+": pg_hba.conf line "+itoa(trust.Line))
	case first != nil:
		cred.Type = methodType(first.Method)
	default:
		cred.Revoked = true // no pg_hba rule lets it connect
	}
	return cred
}

// methodType maps a pg_hba auth method to a credential type.
func methodType(method string) schema.CredentialType {
	switch method {
	case "trust":
		return schema.CredTrust
	case "peer", "ident":
		return schema.CredPeer
	case "cert":
		return schema.CredCertificate
	case "gss", "sspi":
		return schema.CredFederated
	}
	return schema.CredPassword // scram-sha-256, md5, password, ldap, radius, pam, bsd
}

// hbaApplies reports whether rule h can match a login of role name to some
// database (replication-only rules cannot).
func (t *transformer) hbaApplies(h *HBARule, name string) bool {
	if len(h.Databases) == 1 && h.Databases[0] == "replication" {
		return false
	}
	for _, u := range h.Users {
		switch {
		case u == "all" || u == name:
			return true
		case strings.HasPrefix(u, "+") && t.memberOf(name, u[1:], map[string]bool{}):
			return true
		case strings.HasPrefix(u, "/") && regexpMatch(u[1:], name):
			return true
		}
	}
	return false
}

// memberOf reports whether role is a direct or indirect member of group.
func (t *transformer) memberOf(role, group string, seen map[string]bool) bool {
	if role == group {
		return true
	}
	if seen[role] {
		return false
	}
	seen[role] = true
	return slices.ContainsFunc(t.parent[role], func(p string) bool { return t.memberOf(p, group, seen) })
}

// memberships maps pg_auth_members rows (docs: "Memberships").
func (t *transformer) memberships() {
	c := &t.out.Cluster
	for _, m := range t.cat.Members {
		target, member := t.roles[m.Role], t.roles[m.Member]
		if target == nil || member == nil {
			continue
		}
		inherit, set := member.Inherit, true
		if m.Inherit != nil {
			inherit = *m.Inherit
		}
		if m.Set != nil {
			set = *m.Set
		}
		from, to := t.roleID(m.Member), t.roleID(m.Role)
		if !target.CanLogin {
			// A delegation cannot lead to a group: every way into a NOLOGIN
			// role is a membership (docs: SET-only and ADMIN-only).
			if inherit || set || m.Admin {
				c.MembershipList = append(c.MembershipList, graph.Membership{Member: from, Group: to})
			}
			continue
		}
		var how []string
		switch {
		case inherit:
			how = append(how, "GRANT "+m.Role+" TO "+m.Member+" WITH INHERIT")
		case set:
			how = append(how, "SET ROLE "+m.Role)
		}
		for _, native := range how {
			c.DelegationList = append(c.DelegationList, graph.Delegation{From: from, To: to, Kind: schema.DelegRunAs, System: t.sys, Native: native})
		}
		if m.Admin {
			c.DelegationList = append(c.DelegationList, graph.Delegation{From: from, To: to, Kind: schema.DelegRunAs, System: t.sys, Native: "ADMIN OPTION on " + m.Role})
		}
	}
}

// presize allocates the object lists at about their final size: at 100,000
// tables, growing them was a third of the transform's time.
func (t *transformer) presize() {
	var nodes, grants int
	for i := range t.cat.Databases {
		db := &t.cat.Databases[i]
		nodes += 1 + len(db.Schemas) + len(db.Tables)
		for j := range db.Tables {
			grants += 3 + len(db.Tables[j].ACL) + len(db.Tables[j].Columns)
		}
	}
	t.out.Objects.ResourceList = make([]graph.Resource, 0, nodes)
	t.out.Objects.GrantList = make([]graph.Grant, 0, grants)
}

// database declares a database, its schemas and tables, and the grants on them.
func (t *transformer) database(db *Database) {
	o := &t.out.Objects
	dbID := t.sys + "/" + db.Name
	o.ResourceList = append(o.ResourceList, graph.Resource{ID: dbID, System: t.sys, Name: db.Name, Kind: "database"})
	for _, s := range db.Schemas {
		o.ResourceList = append(o.ResourceList, graph.Resource{ID: dbID + "/" + s, System: t.sys, Parent: dbID, Name: db.Name + "." + s, Kind: "schema"})
	}
	readAll, writeAll := t.predefined("pg_read_all_data"), t.predefined("pg_write_all_data")
	for i := range db.Tables {
		tb := &db.Tables[i]
		full := db.Name + "." + tb.Schema + "." + tb.Name
		res := graph.Resource{ID: dbID + "/" + tb.Schema + "/" + tb.Name, System: t.sys, Parent: dbID + "/" + tb.Schema, Name: full, Kind: "table"}
		if rule := t.cfg.tableRule(full); rule != nil {
			if rule.Kind != "" {
				res.Kind = rule.Kind
			}
			res.SOXScope = rule.SOXScope
		}
		o.ResourceList = append(o.ResourceList, res)
		t.tableGrants(tb, res.ID, readAll, writeAll)
	}
}

// predefined returns the predefined role name when it exists in the catalog.
func (t *transformer) predefined(name string) string {
	if t.roles[name] != nil {
		return name
	}
	return ""
}

// tableGrants adds the owner's admin grant, the table and column ACL grants
// and the predefined-role grants of one table.
func (t *transformer) tableGrants(tb *Table, res, readAll, writeAll string) {
	on := " ON " + tb.Schema + "." + tb.Name
	t.grant(tb, tb.Owner, schema.ActionAdmin, res, "OWNER of "+tb.Schema+"."+tb.Name, false)
	for _, g := range groupACL(tb.ACL, tb.Owner) {
		t.grant(tb, g.grantee, g.action, res, g.privs+on+g.option, true)
	}
	for _, g := range groupACL(tb.Columns, "") {
		t.grant(tb, g.grantee, g.action, res, g.privs+on+g.option, true)
	}
	if readAll != "" {
		t.grant(tb, readAll, schema.ActionRead, res, "pg_read_all_data (every table)", true)
	}
	if writeAll != "" {
		t.grant(tb, writeAll, schema.ActionWrite, res, "pg_write_all_data (every table)", true)
	}
}

// grant adds one grant; on a table with row-level security a grant to a
// role that is neither the owner nor BYPASSRLS is conditional.
func (t *transformer) grant(tb *Table, grantee string, a schema.Action, res, native string, rlsApplies bool) {
	if grantee == "" {
		return
	}
	r := t.roles[grantee]
	if r == nil && grantee != PUBLIC {
		return // a dropped role's dangling ACL entry cannot be used
	}
	g := graph.Grant{Principal: t.roleID(grantee), Action: a, Resource: res, Native: native + bypass(r)}
	if rlsApplies && tb.RLS && grantee != tb.Owner && (r == nil || !r.BypassRLS) {
		g.Conditional = true
		g.Native += " (approximated: row-level security is enabled, rows may be filtered by policies)"
	}
	t.out.Objects.GrantList = append(t.out.Objects.GrantList, g)
}

// aclGrant is the privileges of one grantee that map to one action.
type aclGrant struct {
	grantee string
	action  schema.Action
	privs   string // "INSERT, UPDATE" or "UPDATE(amount, memo)"
	option  string // " WITH GRANT OPTION" when any is grantable
}

// privilegeAction maps a table privilege to an action ("" for the ones not
// modelled: REFERENCES, TRIGGER, MAINTAIN, USAGE).
func privilegeAction(p string) schema.Action {
	switch p {
	case "SELECT":
		return schema.ActionRead
	case "INSERT", "UPDATE", "DELETE", "TRUNCATE":
		return schema.ActionWrite
	}
	return ""
}

// groupACL groups ACL rows by grantee and action, leaving out the owner's
// own rows (the owner's admin grant covers them); the result is sorted.
func groupACL(acl []Privilege, owner string) []aclGrant {
	type key struct {
		grantee string
		action  schema.Action
	}
	privs := map[key]map[string][]string{} // privilege → columns
	grantable := map[key]bool{}
	for _, p := range acl {
		a := privilegeAction(p.Privilege)
		if a == "" || (owner != "" && p.Grantee == owner) {
			continue
		}
		k := key{p.Grantee, a}
		if privs[k] == nil {
			privs[k] = map[string][]string{}
		}
		privs[k][p.Privilege] = append(privs[k][p.Privilege], p.Column)
		grantable[k] = grantable[k] || p.Grantable
	}
	out := make([]aclGrant, 0, len(privs))
	for k, m := range privs {
		g := aclGrant{grantee: k.grantee, action: k.action}
		names := make([]string, 0, len(m))
		for priv, cols := range m {
			if cols[0] != "" {
				sort.Strings(cols)
				priv += "(" + strings.Join(cols, ", ") + ")"
			}
			names = append(names, priv)
		}
		sort.Strings(names)
		g.privs = strings.Join(names, ", ")
		if grantable[k] {
			g.option = " WITH GRANT OPTION"
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].grantee != out[j].grantee {
			return out[i].grantee < out[j].grantee
		}
		return out[i].action.Index() < out[j].action.Index()
	})
	return out
}
