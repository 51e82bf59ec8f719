package awsiam

import (
	"slices"
	"strings"

	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// escFacts are the account facts every principal's techniques use.
type escFacts struct {
	trusted   map[string]map[string]bool // role id → service principals it trusts
	assumable map[string][]*subject      // subject id → roles it may assume by trust
	profile   map[string]bool            // role id → has an instance profile
	admin     map[string]bool            // principal id → unconditional admin on the account by policy
	trust     map[string][]*Statement    // role ARN → its trust statements
}

// state is one point of a principal's escalation closure: the principal
// with the groups it joined on the way (eff), and the techniques that got it
// there (each "privesc:addusertogroup on g (iam:AddUserToGroup)").
type state struct {
	eff   *subject
	chain []string
	cond  bool
}

// escalator finds one principal's escalation edges, state by state.
type escalator struct {
	t    *transformer
	f    *escFacts
	s    *subject        // the principal the edges start from
	done map[string]bool // technique keys emitted in an earlier state
	in   map[string]bool // group names s is in or joined
}

// escalation adds the privilege-escalation edges (docs/ingest-aws.md
// "Escalation"). Per principal it is a closure: what a technique gains
// (joining a group) feeds further techniques until nothing changes. Each
// technique is its own edge — an admin grant, an act-as hop, or the grants
// of a joined group — whose native names the technique, its IAM actions and
// the techniques before it. A principal that already holds admin on the
// account by its policies gets none.
func (t *transformer) escalation() {
	f := t.escFacts()
	for _, s := range t.subjects {
		if f.admin[s.id] || slices.ContainsFunc(s.groups, func(g string) bool { return f.admin[g] }) {
			continue
		}
		e := &escalator{t: t, f: f, s: s, done: map[string]bool{}, in: map[string]bool{}}
		for _, g := range s.groups {
			e.in[strings.TrimPrefix(g, "aws:"+t.acct+":group/")] = true
		}
		queue := []state{{eff: s}}
		for len(queue) > 0 {
			st := queue[0]
			queue = queue[1:]
			queue = append(queue, e.run(st)...)
		}
	}
	t.resolveCondHops()
}

func (t *transformer) escFacts() *escFacts {
	f := &escFacts{trusted: map[string]map[string]bool{}, assumable: map[string][]*subject{}, profile: map[string]bool{}, admin: map[string]bool{},
		trust: map[string][]*Statement{}}
	for _, r := range t.d.Roles {
		rid := roleID(t.acct, r.Name)
		f.trusted[rid] = map[string]bool{}
		f.trust[r.ARN] = trustStatements(r)
		for _, st := range f.trust[r.ARN] {
			for _, svc := range st.Principal.Service {
				f.trusted[rid][svc] = true
			}
		}
		for _, a := range t.assumers(r) {
			f.assumable[a.s.id] = append(f.assumable[a.s.id], t.byARN[r.ARN])
		}
		f.profile[rid] = r.InstanceProfiles > 0
	}
	sys := systemID(t.acct)
	for k := range t.grants {
		if k.action == schema.ActionAdmin && k.resource == sys && !k.conditional && !strings.HasPrefix(k.machine, "privesc:") {
			f.admin[k.principal] = true
		}
	}
	return f
}

// after is the evidence suffix naming the techniques before this one.
func (st state) after() string {
	if len(st.chain) == 0 {
		return ""
	}
	return "; after " + strings.Join(st.chain, ", then ")
}

// can reports whether the state's principal may do every action on arn.
func (st state) can(arn string, actions ...string) (bool, bool) {
	cond := false
	for _, a := range actions {
		ok, c := st.eff.allowed(a, arn)
		if !ok {
			return false, false
		}
		cond = cond || c
	}
	return true, cond
}

// first reports whether technique key is new for the principal (a state
// reached later never repeats what an earlier one found).
func (e *escalator) first(key string) bool {
	if e.done[key] {
		return false
	}
	e.done[key] = true
	return true
}

// admin emits an escalation admin grant on the account.
func (e *escalator) admin(st state, technique string, cond bool, actions ...string) {
	if !e.first("admin " + technique) {
		return
	}
	n := iam.Native{Escalation: technique, Evidence: strings.Join(actions, "+") + st.after()}
	e.t.grant(e.s.id, schema.ActionAdmin, systemID(e.t.acct), n, cond || st.cond)
}

// hop emits an act-as edge to identity to; a conditional one becomes
// conditional grants (resolveCondHops), since delegations carry no
// condition.
func (e *escalator) hop(st state, to string, kind schema.DelegationKind, technique string, cond bool, actions ...string) {
	e.hopNote(st, to, kind, technique, cond, "", actions...)
}

// hopNote is hop with a note after the IAM actions in the evidence.
func (e *escalator) hopNote(st state, to string, kind schema.DelegationKind, technique string, cond bool, note string, actions ...string) {
	if to == e.s.id || !e.first(string(kind)+" "+to+" "+technique) {
		return
	}
	ev := strings.Join(actions, "+")
	if note != "" {
		ev += "; " + note
	}
	native := (&iam.Native{Escalation: technique, Evidence: ev + st.after()}).String()
	if cond || st.cond {
		e.t.condHops = append(e.t.condHops, condHop{from: e.s.id, to: to, native: native})
		return
	}
	e.t.delegate(e.s.id, to, kind, native)
}

// run finds the techniques open to the principal in state st and returns
// the states reached by joining groups.
func (e *escalator) run(st state) []state {
	e.otherUsers(st)
	e.ownPolicies(st)
	e.roles(st)
	e.policyVersions(st)
	e.trustRewrites(st)
	e.passRoles(st)
	return e.joinGroups(st)
}

func (e *escalator) otherUsers(st state) {
	var acts []string // the actions some Allow of the state matches: no other can be allowed
	for _, a := range []string{"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"} {
		if st.eff.mayAllow(a) {
			acts = append(acts, a)
		}
	}
	if len(acts) == 0 {
		return
	}
	for _, v := range e.t.subjects {
		if !v.user || v == e.s {
			continue
		}
		for _, a := range acts {
			ok, c := st.can(v.arn, a)
			if !ok {
				continue
			}
			// CreateLoginProfile works only on a user without a console
			// password, UpdateLoginProfile only on one with: a credential
			// report row that says otherwise rules the hop out (without one,
			// the hop stays, an approximation).
			if on, known := e.t.passwords[v.name]; known && a != "iam:CreateAccessKey" && on == (a == "iam:CreateLoginProfile") {
				continue
			}
			e.hop(st, v.id, schema.DelegOther, strings.ToLower(strings.TrimPrefix(a, "iam:"))+" on "+v.name, c, a)
		}
	}
}

// ownPolicies: edit one's own policies or those of a group one is in.
func (e *escalator) ownPolicies(st state) {
	if !e.s.user {
		return
	}
	for _, a := range []string{"iam:PutUserPolicy", "iam:AttachUserPolicy"} {
		if ok, c := st.can(e.s.arn, a); ok {
			e.admin(st, "self-"+strings.ToLower(strings.TrimPrefix(a, "iam:")), c, a)
		}
	}
	for _, g := range e.t.d.Groups {
		if !e.inGroup(st, g.Name) {
			continue
		}
		for _, a := range []string{"iam:PutGroupPolicy", "iam:AttachGroupPolicy"} {
			if ok, c := st.can(g.ARN, a); ok {
				e.admin(st, "group-"+strings.ToLower(strings.TrimPrefix(a, "iam:"))+" on "+g.Name, c, a)
			}
		}
	}
}

// inGroup reports whether the state's principal is in group name.
func (e *escalator) inGroup(st state, name string) bool {
	gid := groupID(e.t.acct, name)
	return slices.Contains(st.eff.groups, gid)
}

// roles: edit the policies of a role one can assume (or of oneself, for a
// role); assume roles that trust the account once a joined group allows it.
func (e *escalator) roles(st state) {
	roles := slices.Clone(e.f.assumable[e.s.id])
	if !e.s.user {
		roles = append(roles, e.s)
	}
	if len(st.chain) > 0 {
		roles = append(roles, e.newlyAssumable(st)...)
	}
	for _, r := range roles {
		for _, a := range []string{"iam:PutRolePolicy", "iam:AttachRolePolicy"} {
			if ok, c := st.can(r.arn, a); ok {
				e.admin(st, "role-"+strings.ToLower(strings.TrimPrefix(a, "iam:"))+" on "+r.name, c, a)
			}
		}
	}
}

// newlyAssumable are the roles trusting the account that the state's
// principal may assume but the principal itself may not; each gets an
// assume_role hop.
func (e *escalator) newlyAssumable(st state) []*subject {
	var out []*subject
	root := "arn:aws:iam::" + e.t.acct + ":root"
	for _, r := range e.t.d.Roles {
		rs := e.t.byARN[r.ARN]
		if rs == nil || rs == e.s || slices.Contains(e.f.assumable[e.s.id], rs) {
			continue
		}
		for _, ts := range e.f.trust[r.ARN] {
			if !slices.Contains(ts.Principal.AWS, e.t.acct) && !slices.Contains(ts.Principal.AWS, root) {
				continue
			}
			if c := e.s.cv(ts); !c.applies {
				continue
			}
			if ok, c := st.can(r.ARN, "sts:AssumeRole"); ok {
				e.hop(st, rs.id, schema.DelegAssumeRole, "assumerole "+r.Name, c, "sts:AssumeRole")
				out = append(out, rs)
				break
			}
		}
	}
	return out
}

// policyVersions: rewrite a customer-managed policy that applies to the
// state's principal (directly or through a group) or to a role it can assume.
func (e *escalator) policyVersions(st state) {
	for _, holder := range append([]*subject{st.eff}, e.f.assumable[e.s.id]...) {
		for _, a := range holder.pols {
			if a.pol.ARN == "" || strings.HasPrefix(a.pol.ARN, "arn:aws:iam::aws:") {
				continue // inline and AWS-managed policies cannot be versioned
			}
			for _, act := range []string{"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"} {
				if ok, c := st.can(a.pol.ARN, act); ok {
					where := ""
					if holder != st.eff {
						where = " (attached to " + holder.name + ")"
					}
					e.admin(st, "policy-version on "+a.pol.Name+where, c, act)
					break
				}
			}
		}
	}
}

// trustRewrites: rewrite a role's trust policy, then assume it.
func (e *escalator) trustRewrites(st state) {
	if !st.eff.mayAllow("iam:UpdateAssumeRolePolicy") {
		return // allowed on no role
	}
	for _, r := range e.t.subjects {
		if r.user || r == e.s {
			continue
		}
		if ok, c := st.can(r.arn, "iam:UpdateAssumeRolePolicy"); ok && !st.eff.denies("sts:AssumeRole", r.arn) {
			e.hop(st, r.id, schema.DelegAssumeRole, "updateassumerolepolicy on "+r.name, c, "iam:UpdateAssumeRolePolicy")
		}
	}
}

// passRoles: pass a role to a new resource of a service that runs code as
// it, or take over an existing one (conditional).
func (e *escalator) passRoles(st state) {
	type open struct {
		name, service, needs string
		actions              []string
		cond, pass, profile  bool
	}
	var techs []open
	for _, p := range passRoleTechniques {
		if ok, c := st.can("", p.actions...); ok {
			techs = append(techs, open{name: p.name, service: p.service, actions: p.actions, cond: c, pass: true})
		}
	}
	for _, x := range takeovers {
		if ok, c := st.can("", x.actions...); ok {
			techs = append(techs, open{name: x.name, service: x.service, actions: x.actions, cond: c, needs: x.needs, profile: x.profile})
		}
	}
	if len(techs) == 0 {
		return
	}
	for _, r := range e.t.subjects {
		if r.user || r == e.s || len(e.f.trusted[r.id]) == 0 {
			continue
		}
		passOK, passCond, passKnown := false, false, false
		for _, x := range techs {
			if !e.f.trusted[r.id][x.service] || x.profile && !e.f.profile[r.id] {
				continue
			}
			if !x.pass { // take-over: no PassRole, but an existing resource
				e.hopNote(st, r.id, schema.DelegRunAs, x.name+" as "+r.name, true, "approximated: needs "+x.needs, x.actions...)
				continue
			}
			if !passKnown {
				passOK, passCond = st.can(r.arn, "iam:PassRole")
				passKnown = true
			}
			if passOK {
				e.hop(st, r.id, schema.DelegRunAs, x.name+" as "+r.name, x.cond || passCond, append([]string{"iam:PassRole"}, x.actions...)...)
			}
		}
	}
}

// joinGroups: add oneself to a group one is not in → its policies. Each
// group is joined once per principal, in the first state that can; the
// group's grants are emitted now and the new state is returned.
func (e *escalator) joinGroups(st state) []state {
	if !e.s.user || !st.eff.mayAllow("iam:AddUserToGroup") {
		return nil
	}
	var next []state
	for _, g := range e.t.d.Groups {
		if e.in[g.Name] {
			continue
		}
		ok, c := st.can(g.ARN, "iam:AddUserToGroup")
		if !ok {
			continue
		}
		e.in[g.Name] = true
		step := "privesc:addusertogroup on " + g.Name + " (iam:AddUserToGroup)"
		member := *st.eff
		member.pols = append(slices.Clone(st.eff.pols), e.t.groupPols[g.Name]...)
		member.groups = append(slices.Clone(st.eff.groups), groupID(e.t.acct, g.Name))
		member.mayCache = nil // other policies
		technique := step
		if len(st.chain) > 0 {
			technique += " after " + strings.Join(st.chain, ", then ")
		}
		esc := escalated{technique: technique, cond: c || st.cond}
		for _, a := range e.t.groupPols[g.Name] {
			e.t.policyGrants(a, []*subject{&member}, e.s.id, esc)
		}
		if e.t.adminVia(e.s.id, technique) {
			continue // the group's policies make it admin directly: nothing further to find
		}
		next = append(next, state{eff: &member, chain: append(slices.Clone(st.chain), step), cond: c || st.cond})
	}
	return next
}

// adminVia reports whether principal holds an unconditional policy admin
// grant on the account whose evidence names technique.
func (t *transformer) adminVia(principal, technique string) bool {
	sys := systemID(t.acct)
	for k, g := range t.grants {
		if k.principal != principal || k.action != schema.ActionAdmin || k.resource != sys || k.conditional || strings.HasPrefix(k.machine, "privesc:") {
			continue
		}
		for _, ev := range g.evidence {
			if strings.Contains(ev, "via "+technique) {
				return true
			}
		}
	}
	return false
}
