package sap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Transform maps an extract to graph records (docs/ingest-sap.md): pure and
// deterministic. cfg may be nil (defaults: SID "SAP", client "000", SOX
// scope, company codes = every BUKRS value seen; the client defaults to
// USR02.MANDT when the extract has it); fm is the function map
// (Builtin merged with cfg.Functions).
func Transform(x *Extract, cfg *Config, fm *FunctionMap) *Result {
	if cfg == nil {
		cfg = &Config{}
	}
	t := &transformer{x: x, cfg: cfg, fm: fm, res: &Result{}, users: map[string]*User{}}
	sid, client := cfg.SID, cfg.Client
	if sid == "" {
		sid = "SAP"
	}
	if client == "" {
		client = x.Client
	}
	if client == "" {
		client = "000"
	}
	t.sys = "sap:" + sid + ":" + client
	t.res.Label = t.sys
	t.res.CollectedAt = cfg.collected
	t.systemAndResources(sid, client)
	t.identities()
	t.principals()
	t.atomsAndSites()
	t.memberships()
	t.principalGrants()
	t.userGrants()
	t.delegations()
	return t.res
}

type transformer struct {
	x   *Extract
	cfg *Config
	fm  *FunctionMap
	res *Result
	sys string

	ccs       []string
	users     map[string]*User
	userNames []string

	roles     map[string]*principal
	profiles  map[string]*principal
	held      map[string][]held // user → principals held, with windows
	memberIdx map[string][]int  // user id|group id → indexes in Memberships

	atoms   []atom
	atomIdx map[string]int
	sites   []site
	granted map[string]bool // principal|action|resource already granted
}

func (t *transformer) id(parts ...string) string { return t.sys + ":" + strings.Join(parts, ":") }

// companyCodes are the configured ones, else every literal BUKRS value seen
// in AGR_1251, UST12 and the org-level values, sorted.
func (t *transformer) companyCodes() []string {
	if len(t.cfg.CompanyCodes) > 0 {
		return slices.Clone(t.cfg.CompanyCodes)
	}
	seen := map[string]bool{}
	lit := func(v string) {
		if v != "" && !strings.ContainsAny(v, "*$") {
			seen[v] = true
		}
	}
	for _, vs := range [][]AuthValue{t.x.RoleValues, t.x.ProfileValues} {
		for _, v := range vs {
			if v.Field == "BUKRS" {
				lit(v.Low)
				lit(v.High)
			}
		}
	}
	for _, o := range t.x.OrgValues {
		if strings.Contains(o.Var, "BUKRS") {
			lit(o.Low)
			lit(o.High)
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func (t *transformer) systemAndResources(sid, client string) {
	name := t.cfg.Name
	if name == "" {
		name = fmt.Sprintf("SAP %s client %s", sid, client)
	}
	sox := t.cfg.SOXScope == nil || *t.cfg.SOXScope
	t.res.Systems = append(t.res.Systems, graph.System{ID: t.sys, Name: name, Kind: "sap", SOXScope: sox, Owner: t.cfg.Owner})
	t.ccs = t.companyCodes()
	var ccKinds, sysKinds []string
	for _, f := range t.fm.Functions {
		if f.Scope == "system" {
			if !slices.Contains(sysKinds, f.Kind) {
				sysKinds = append(sysKinds, f.Kind)
			}
		} else if !slices.Contains(ccKinds, f.Kind) {
			ccKinds = append(ccKinds, f.Kind)
		}
	}
	for _, k := range sysKinds {
		t.res.Resources = append(t.res.Resources, graph.Resource{ID: t.id(k), System: t.sys, Name: k, Kind: k})
	}
	for _, cc := range t.ccs {
		parent := t.id("bukrs", cc)
		t.res.Resources = append(t.res.Resources, graph.Resource{ID: parent, System: t.sys, Name: "company code " + cc, Kind: "company_code"})
		for _, k := range ccKinds {
			t.res.Resources = append(t.res.Resources, graph.Resource{ID: parent + ":" + k, System: t.sys, Parent: parent, Name: k + " " + cc, Kind: k})
		}
	}
}

// identities maps USR02: one identity per user and, except for reference
// users, one password credential.
func (t *transformer) identities() {
	for i := range t.x.Users {
		u := &t.x.Users[i]
		if _, dup := t.users[u.Name]; dup || u.Name == "" {
			continue
		}
		t.users[u.Name] = u
		t.userNames = append(t.userNames, u.Name)
		id := t.id("user", u.Name)
		ident := graph.Identity{ID: id, Name: u.Name, Status: schema.StatusActive, CreatedAt: u.Created, LastUsedAt: u.LastLogon}
		ident.Type = schema.IdentityServiceAccount
		switch u.Type {
		case "A":
			ident.Type = schema.IdentityHuman
		case "S":
			ident.Shared = true
		}
		if typ := t.cfg.typeFor(u.Name); typ != "" {
			ident.Type = typ
		}
		if u.Locked {
			ident.Status = schema.StatusDisabled
		}
		ident.Tags = map[string]string{"sap_user_type": u.Type}
		if u.Class != "" {
			ident.Tags["sap_user_group"] = u.Class
		}
		if p, ok := t.x.Persons[u.Name]; ok {
			if mail := t.x.Emails[p]; mail != "" {
				ident.Tags["email"] = strings.ToLower(mail)
			}
		}
		t.res.Identities = append(t.res.Identities, ident)
		if u.Type == "L" {
			continue
		}
		// The user can log on only inside GLTGV…GLTGB: the credential is
		// valid from GLTGV and expires the day after GLTGB.
		cred := graph.Credential{ID: id + ":password", Identity: id, Type: schema.CredPassword, Systems: []string{t.sys},
			CreatedAt: u.Created, LastRotatedAt: u.PasswordChanged, LastUsedAt: u.LastLogon, ValidFrom: u.ValidFrom}
		if !u.ValidTo.IsZero() {
			cred.ExpiresAt = u.ValidTo.AddDate(0, 0, 1)
		}
		t.res.Credentials = append(t.res.Credentials, cred)
	}
	slices.Sort(t.userNames)
}
