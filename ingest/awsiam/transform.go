package awsiam

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// Node ids of one account (docs/ingest-aws.md "Mapping").
func systemID(acct string) string       { return "aws:" + acct }
func userID(acct, name string) string   { return "aws:" + acct + ":user/" + name }
func roleID(acct, name string) string   { return "aws:" + acct + ":role/" + name }
func groupID(acct, name string) string  { return "aws:" + acct + ":group/" + name }
func rootID(acct string) string         { return "aws:" + acct + ":root" }
func principalsID(acct string) string   { return "aws:" + acct + ":principals" }
func serviceID(acct, svc string) string { return "aws:" + acct + ":service/" + svc }

// serviceAccountName are user-name patterns taken as non-human.
var serviceAccountName = regexp.MustCompile(`(?i)(^svc[-_.]|[-_.]svc$|^sa[-_.]|bot|^ci[-_.]|[-_.]ci$|deploy|automation|terraform|jenkins|github|gitlab|pipeline|integration|service|^app[-_.]|[-_.]app$|^api[-_.])`)

// attachment is a policy as it applies to a subject: where it is attached.
type attachment struct {
	pol   NamedPolicy
	on    string // principal id it is attached to (user, group or role)
	onArn string
}

// subject is a user or role with every policy that applies to it.
type subject struct {
	id, arn, name string
	user          bool
	groups        []string // group ids
	pols          []attachment
	boundary      *Policy
	vars          map[string]string
}

// transformer builds the graph records of one account.
type transformer struct {
	acct     string
	d        *Details
	out      *graph.Dataset
	declared map[string]bool
	subjects []*subject
	byARN    map[string]*subject
	members  map[string][]*subject // group id → member users
	grants   map[grantKey][]string
	delegs   map[graph.Delegation]bool
}

type grantKey struct {
	principal, resource string
	action              schema.Action
	conditional         bool
}

// Transform maps an account's authorization details and credential report
// (either may be nil) onto graph records. It is pure: no I/O. The account id
// comes from the details' ARNs, else from the report's.
func Transform(d *Details, rep *Report) (*graph.Dataset, error) {
	t := &transformer{
		out: &graph.Dataset{}, declared: map[string]bool{}, byARN: map[string]*subject{},
		members: map[string][]*subject{}, grants: map[grantKey][]string{}, delegs: map[graph.Delegation]bool{},
		d: d,
	}
	if d != nil {
		t.acct = d.AccountID()
	}
	if t.acct == "" && rep != nil {
		t.acct = rep.AccountID()
	}
	if t.acct == "" {
		return nil, fmt.Errorf("cannot tell the AWS account id: no ARN with a 12-digit account")
	}
	if d != nil {
		t.details()
	}
	if rep != nil {
		t.report(rep)
	}
	t.flush()
	return t.out, nil
}

func (t *transformer) identity(id graph.Identity) {
	if t.declared[id.ID] {
		return
	}
	t.declared[id.ID] = true
	if id.Status == "" {
		id.Status = schema.StatusActive
	}
	t.out.IdentityList = append(t.out.IdentityList, id)
}

func (t *transformer) policy(arn string) *NamedPolicy {
	if p, ok := t.d.Policies[arn]; ok {
		return &p.NamedPolicy
	}
	if arn == "arn:aws:iam::aws:policy/AdministratorAccess" { // well known, often not exported
		return &NamedPolicy{Name: "AdministratorAccess", ARN: arn, Doc: &Policy{Statements: []Statement{{Allow: true, Action: []string{"*"}, Resource: []string{"*"}}}}}
	}
	return nil // unknown AWS-managed policy: not modelled (documented)
}

func (t *transformer) attach(on, onArn string, inline []NamedPolicy, managed []string) []attachment {
	var out []attachment
	for _, p := range inline {
		out = append(out, attachment{pol: p, on: on, onArn: onArn})
	}
	for _, arn := range managed {
		if p := t.policy(arn); p != nil {
			out = append(out, attachment{pol: *p, on: on, onArn: onArn})
		}
	}
	return out
}

func (t *transformer) details() {
	acct, d := t.acct, t.d
	sys := systemID(acct)
	t.out.SystemList = append(t.out.SystemList, graph.System{ID: sys, Name: "AWS account " + acct, Kind: "cloud"})
	t.declared[sys] = true
	t.out.GroupList = append(t.out.GroupList, graph.Group{ID: principalsID(acct), Name: "every IAM user and role of " + acct, Type: schema.GroupGroup, System: sys})
	t.identity(graph.Identity{ID: rootID(acct), Name: "root", Type: schema.IdentityHuman, BreakGlass: true,
		Tags: map[string]string{"arn": "arn:aws:iam::" + acct + ":root"}})
	t.grant(rootID(acct), schema.ActionAdmin, sys, "account root user", false)

	groupPols := map[string][]attachment{}
	for _, g := range d.Groups {
		gid := groupID(acct, g.Name)
		t.out.GroupList = append(t.out.GroupList, graph.Group{ID: gid, Name: g.Name, Type: schema.GroupGroup, System: sys})
		groupPols[g.Name] = t.attach(gid, g.ARN, g.Inline, g.Attached)
	}
	for _, u := range d.Users {
		s := &subject{id: userID(acct, u.Name), arn: u.ARN, name: u.Name, user: true, vars: map[string]string{"aws:username": u.Name}}
		s.pols = t.attach(s.id, u.ARN, u.Inline, u.Attached)
		for _, g := range u.Groups {
			if _, ok := groupPols[g]; !ok {
				continue // group not in the export: its policies are unknown
			}
			gid := groupID(acct, g)
			s.groups = append(s.groups, gid)
			s.pols = append(s.pols, groupPols[g]...)
			t.members[gid] = append(t.members[gid], s)
			t.out.MembershipList = append(t.out.MembershipList, graph.Membership{Member: s.id, Group: gid})
		}
		s.boundary = t.boundary(u.Boundary)
		typ, why := schema.IdentityHuman, ""
		if serviceAccountName.MatchString(u.Name) {
			typ, why = schema.IdentityServiceAccount, "aws-iam: user name looks like a service account"
		}
		t.identity(graph.Identity{ID: s.id, Name: u.Name, Type: typ, NonhumanRationale: why,
			CreatedAt: parseAWSTime(u.CreateDate), Tags: withARN(u.Tags, u.ARN)})
		t.subjects = append(t.subjects, s)
	}
	for _, r := range d.Roles {
		s := &subject{id: roleID(acct, r.Name), arn: r.ARN, name: r.Name}
		s.pols = t.attach(s.id, r.ARN, r.Inline, r.Attached)
		s.boundary = t.boundary(r.Boundary)
		t.identity(graph.Identity{ID: s.id, Name: r.Name, Type: schema.IdentityWorkload,
			NonhumanRationale: "aws-iam: IAM role", CreatedAt: parseAWSTime(r.CreateDate), Tags: withARN(r.Tags, r.ARN)})
		t.subjects = append(t.subjects, s)
	}
	for _, s := range t.subjects {
		t.byARN[s.arn] = s
		t.out.MembershipList = append(t.out.MembershipList, graph.Membership{Member: s.id, Group: principalsID(acct)})
	}
	// Grants: users and roles.
	for _, s := range t.subjects {
		for _, a := range s.pols {
			if a.on == s.id {
				t.policyGrants(a, []*subject{s}, s.id)
			}
		}
	}
	// Grants: groups (on the group when every member keeps them, see groupGrants).
	for _, g := range d.Groups {
		gid := groupID(acct, g.Name)
		members := t.members[gid]
		if len(members) == 0 {
			members = []*subject{{id: gid, pols: groupPols[g.Name]}}
		}
		for _, a := range groupPols[g.Name] {
			t.policyGrants(a, members, gid)
		}
	}
	for _, r := range d.Roles {
		t.trust(r)
	}
	t.escalation()
}

func (t *transformer) boundary(arn string) *Policy {
	if arn == "" {
		return nil
	}
	if p := t.policy(arn); p != nil {
		return p.Doc
	}
	return &Policy{} // a boundary we cannot read allows nothing we can prove
}

func withARN(tags map[string]string, arn string) map[string]string {
	out := map[string]string{"arn": arn}
	for k, v := range tags {
		out["aws:"+k] = v
	}
	return out
}

// item is one (action pattern, resource pattern) of an Allow statement.
type item struct {
	action    string   // IAM action pattern; "*" for NotAction
	notAction []string // the NotAction list, when the statement uses one
	resource  string   // ARN pattern, "*" for the account (and NotResource)
	note      string
	cond      bool
}

// verdict is what the subject's denies and boundary leave of an item.
type verdict struct {
	keep bool
	cond bool
	note string
}

// policyGrants emits the grants of one attached policy. subjects are the
// identities the policy applies to through principal on (the user or role
// itself, or a group's members): a grant lands on the principal when every
// subject keeps it alike, else on each subject that keeps it.
func (t *transformer) policyGrants(a attachment, subjects []*subject, on string) {
	for _, st := range a.pol.Doc.Statements {
		if !st.Allow {
			continue
		}
		for _, it := range statementItems(&st) {
			verdicts := make([]verdict, len(subjects))
			same := true
			for i, s := range subjects {
				verdicts[i] = s.judge(it)
				if verdicts[i] != verdicts[0] {
					same = false
				}
			}
			native := a.pol.Name + ": Allow " + it.actionText()
			if same {
				if v := verdicts[0]; v.keep {
					t.itemGrants(on, it, native+v.note, v.cond)
				}
				continue
			}
			for i, s := range subjects {
				if v := verdicts[i]; v.keep {
					t.itemGrants(s.id, it, native+" (via "+on+")"+v.note, v.cond)
				}
			}
		}
	}
}

func (it item) actionText() string {
	if it.notAction != nil {
		return "NotAction " + strings.Join(it.notAction, ",")
	}
	return it.action
}

func statementItems(st *Statement) []item {
	res, note := st.Resource, ""
	if st.NotResource != nil {
		res, note = []string{"*"}, " (NotResource "+strings.Join(st.NotResource, ",")+")"
	}
	if res == nil {
		res = []string{"*"}
	}
	var out []item
	for _, r := range res {
		if st.NotAction != nil {
			out = append(out, item{action: "*", notAction: st.NotAction, resource: r, note: note, cond: st.Conditional})
			continue
		}
		for _, a := range st.Action {
			out = append(out, item{action: a, resource: r, note: note, cond: st.Conditional})
		}
	}
	return out
}

// classes are the reachgraph actions of an item. A NotAction Allow gives
// read, write and export, and admin unless it excludes iam:*.
func (it item) classes() []schema.Action {
	if it.notAction == nil {
		return Classify(it.action)
	}
	out := []schema.Action{schema.ActionRead, schema.ActionWrite, schema.ActionExport}
	if !anyGlob(it.notAction, "iam:PutUserPolicy", true) {
		out = append(out, schema.ActionAdmin)
	}
	return out
}

func (t *transformer) itemGrants(principal string, it item, native string, cond bool) {
	res := systemID(t.acct)
	if it.resource != "*" {
		res = it.resource
		if !t.declared[res] {
			t.declared[res] = true
			t.out.ResourceList = append(t.out.ResourceList, graph.Resource{ID: res, System: systemID(t.acct), Name: res, Kind: resourceKind(res)})
		}
	}
	for _, a := range it.classes() {
		t.grant(principal, a, res, native+it.note, cond || it.cond)
	}
}

func (t *transformer) grant(principal string, a schema.Action, res, native string, cond bool) {
	k := grantKey{principal: principal, resource: res, action: a, conditional: cond}
	if !slices.Contains(t.grants[k], native) {
		t.grants[k] = append(t.grants[k], native)
	}
}

// judge applies the subject's explicit denies and permissions boundary to an
// Allow item (docs/ingest-aws.md "Deny, NotAction, conditions, boundaries").
func (s *subject) judge(it item) verdict {
	v := verdict{keep: true}
	res := it.resource
	if s.vars != nil {
		res = subst([]string{res}, s.vars)[0]
	}
	for _, a := range s.pols {
		for i := range a.pol.Doc.Statements {
			st := &a.pol.Doc.Statements[i]
			if st.Allow {
				continue
			}
			full, part := st.coverage(it, res, s.vars)
			switch {
			case full && !st.Conditional:
				return verdict{}
			case full:
				v.cond = true
				v.note += "; conditional Deny in " + a.pol.Name
			case part:
				v.note += "; partly denied by " + a.pol.Name
			}
		}
	}
	if s.boundary != nil {
		full, part := false, false
		for i := range s.boundary.Statements {
			st := &s.boundary.Statements[i]
			f, p := st.coverage(it, res, nil)
			if !st.Allow {
				if f && !st.Conditional {
					return verdict{}
				}
				continue
			}
			full, part = full || f, part || p
		}
		switch {
		case full:
		case part:
			v.note += "; partly outside the permissions boundary"
		default:
			return verdict{}
		}
	}
	return v
}

// coverage tells whether statement st applies to every request of the item
// (full) or to some (part). NotAction/NotResource are handled conservatively:
// they cover an item only when the item cannot overlap the excluded list.
func (st *Statement) coverage(it item, res string, vars map[string]string) (full, part bool) {
	var actFull, actPart bool
	switch {
	case st.NotAction != nil:
		overl, excluded := false, false
		for _, n := range st.NotAction {
			if it.notAction != nil || overlaps(n, it.action, true) {
				overl = true
			}
			if it.notAction == nil && covers(n, it.action, true) {
				excluded = true
			}
		}
		actFull, actPart = !overl, !excluded
	default:
		for _, d := range st.Action {
			if it.notAction == nil && covers(d, it.action, true) || it.notAction != nil && (d == "*" || d == "*:*") {
				actFull = true
			}
			if it.notAction != nil || overlaps(d, it.action, true) {
				actPart = true
			}
		}
	}
	var resFull, resPart bool
	switch {
	case st.NotResource != nil:
		overl := false
		for _, n := range subst(st.NotResource, vars) {
			if overlaps(n, res, false) {
				overl = true
			}
		}
		resFull, resPart = !overl, true
	case st.Resource == nil:
		resFull, resPart = true, true
	default:
		for _, d := range subst(st.Resource, vars) {
			if covers(d, res, false) {
				resFull = true
			}
			if overlaps(d, res, false) {
				resPart = true
			}
		}
	}
	return actFull && resFull, actPart && resPart
}

// allowed evaluates one concrete request (action on the resource ARN, or on
// any resource of service svc when arn is "") for the subject: explicit
// Deny wins, then an Allow is needed in its policies and, with a boundary,
// in the boundary too. cond is set when the answer hangs on a Condition.
func (s *subject) allowed(action, arn string) (ok, cond bool) {
	match := func(st *Statement, vars map[string]string) bool {
		if !st.matchesAction(action) {
			return false
		}
		if arn != "" {
			return st.matchesResource(arn, vars)
		}
		if st.NotResource != nil || st.Resource == nil {
			return st.Allow || st.NotResource == nil
		}
		svc, _, _ := strings.Cut(action, ":")
		for _, r := range st.Resource {
			if st.Allow && overlaps(r, "arn:aws:"+svc+":*", false) || !st.Allow && covers(r, "arn:aws:"+svc+":*", false) {
				return true
			}
		}
		return false
	}
	eval := func(p *Policy, vars map[string]string) (allow, allowCond, deny, denyCond bool) {
		allowCond = true
		for i := range p.Statements {
			st := &p.Statements[i]
			if !match(st, vars) {
				continue
			}
			switch {
			case !st.Allow && !st.Conditional:
				deny = true
			case !st.Allow:
				denyCond = true
			default:
				allow = true
				allowCond = allowCond && st.Conditional
			}
		}
		return
	}
	allow, allowCond := false, true
	for _, a := range s.pols {
		al, ac, de, dc := eval(a.pol.Doc, s.vars)
		if de {
			return false, false
		}
		cond = cond || dc
		if al {
			allow, allowCond = true, allowCond && ac
		}
	}
	if !allow {
		return false, false
	}
	cond = cond || allowCond
	if s.boundary != nil {
		al, ac, de, dc := eval(s.boundary, nil)
		if de || !al {
			return false, false
		}
		cond = cond || ac || dc
	}
	return true, cond
}

// trust emits the delegations of a role's trust policy.
func (t *transformer) trust(r Role) {
	if r.Trust == nil {
		return
	}
	acct, to := t.acct, roleID(t.acct, r.Name)
	for _, st := range r.Trust.Statements {
		if !st.Allow || st.Principal == nil || st.NotPrincipal {
			continue
		}
		if !st.matchesAction("sts:AssumeRole") && !st.matchesAction("sts:AssumeRoleWithSAML") && !st.matchesAction("sts:AssumeRoleWithWebIdentity") {
			continue
		}
		p := st.Principal
		if p.Any {
			t.identity(graph.Identity{ID: "aws:" + acct + ":anyone", Name: "any AWS principal anywhere", Type: schema.IdentityApplication,
				NonhumanRationale: "aws-iam: Principal \"*\" in a trust policy", Tags: map[string]string{"aws_principal": "*"}})
			t.delegate("aws:"+acct+":anyone", to, schema.DelegAssumeRole)
			t.delegate(principalsID(acct), to, schema.DelegAssumeRole)
		}
		for _, a := range p.AWS {
			switch {
			case a == "*":
			case a == acct || a == "arn:aws:iam::"+acct+":root":
				t.delegate(principalsID(acct), to, schema.DelegAssumeRole)
			case t.byARN[a] != nil:
				t.delegate(t.byARN[a].id, to, schema.DelegAssumeRole)
			case strings.HasPrefix(a, "arn:") && arnAccount(a) != acct || isAccountID(a):
				id := "aws:" + acct + ":external/" + a
				t.identity(graph.Identity{ID: id, Name: a, Type: schema.IdentityApplication,
					NonhumanRationale: "aws-iam: principal of another account trusted by a role", Tags: map[string]string{"aws_principal": a}})
				t.delegate(id, to, schema.DelegAssumeRole)
			}
			// Same-account principals missing from the export and unique ids
			// of deleted principals (AROA…/AIDA…) are skipped.
		}
		for _, svc := range p.Service {
			t.service(svc)
			t.delegate(serviceID(acct, svc), to, schema.DelegAssumeRole)
		}
		for _, f := range p.Federated {
			id := "aws:" + acct + ":federated/" + f
			t.identity(graph.Identity{ID: id, Name: f, Type: schema.IdentityApplication,
				NonhumanRationale: "aws-iam: federated identity provider", Tags: map[string]string{"aws_principal": f}})
			t.delegate(id, to, schema.DelegAssumeRole)
		}
	}
}

func (t *transformer) service(svc string) {
	t.identity(graph.Identity{ID: serviceID(t.acct, svc), Name: svc, Type: schema.IdentityWorkload,
		NonhumanRationale: "aws-iam: AWS service principal", Tags: map[string]string{"aws_principal": svc}})
}

func (t *transformer) delegate(from, to string, kind schema.DelegationKind) {
	if from == to {
		return
	}
	t.delegs[graph.Delegation{From: from, To: to, Kind: kind}] = true
}

// flush writes the merged grants and the delegations in a stable order.
func (t *transformer) flush() {
	keys := make([]grantKey, 0, len(t.grants))
	for k := range t.grants {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.principal != b.principal {
			return a.principal < b.principal
		}
		if a.resource != b.resource {
			return a.resource < b.resource
		}
		if a.action != b.action {
			return a.action.Index() < b.action.Index()
		}
		return !a.conditional && b.conditional
	})
	for _, k := range keys {
		t.out.GrantList = append(t.out.GrantList, graph.Grant{Principal: k.principal, Action: k.action, Resource: k.resource,
			Native: joinNative(t.grants[k]), Conditional: k.conditional})
	}
	ds := make([]graph.Delegation, 0, len(t.delegs))
	for d := range t.delegs {
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.Kind < b.Kind
	})
	t.out.DelegationList = append(t.out.DelegationList, ds...)
}

// maxNative caps a grant's native evidence (many IAM actions can fold into
// one grant); the rest is counted.
const maxNative = 600

func joinNative(parts []string) string {
	s := strings.Join(parts, "; ")
	if len(s) <= maxNative {
		return s
	}
	cut := strings.LastIndex(s[:maxNative], "; ")
	if cut <= 0 {
		cut = maxNative
	}
	return s[:cut] + fmt.Sprintf(" … (+%d more)", strings.Count(s[cut:], "; "))
}
